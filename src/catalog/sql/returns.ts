/**
 * What a function returns, when that is a setting's value or another call's
 * result: `select nullif(current_setting('app.tenant_id', true), '')::uuid`
 * returns app.tenant_id; `select auth.jwt() ->> 'org_id'` returns the org_id
 * claim of whatever auth.jwt() returns. The call graph follows the second
 * kind to the first, so that `org_id = auth.org_id()` in a policy is a
 * comparison of the JWT's org_id claim with the row.
 */
import type { JsonStep } from '../types.js';
import { callSiteOf, type CallSite } from './facts.js';
import { walk, type Frame } from './nodes.js';
import { climb, originOf, type Origin, type Scope } from './setting-values.js';

export type ReturnValue =
  | { kind: 'setting'; origin: Origin }
  /** The callee's result, then `path` into it. */
  | { kind: 'call'; call: Omit<CallSite, 'use' | 'json'>; path: JsonStep[]; json: boolean };

export function returnValueOf(root: Frame, scope: Scope): ReturnValue | undefined {
  const origin = originOf(root, scope);
  if (origin) return { kind: 'setting', origin };
  let found: ReturnValue | undefined;
  walk({ [root.kind]: root.body }, (f, parents) => {
    if (found) return false;
    const call = callSiteOf(f, scope);
    if (!call) return;
    if (parents.length === 0) {
      found = { kind: 'call', call, path: [], json: false };
      return false;
    }
    const up = climb(f, parents, { name: '', path: [], json: false }, scope);
    if (up.top === 0) found = { kind: 'call', call, path: up.origin.path, json: up.origin.json };
    return false;
  });
  return found;
}
