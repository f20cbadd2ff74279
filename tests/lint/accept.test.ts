/** applyAccepted: reviewed exceptions for any finding, lint or probe, kept visible as info. */
import { describe, expect, it } from 'vitest';
import { applyAccepted } from '../../src/findings/accept.js';
import type { Finding } from '../../src/findings/types.js';

const finding = (rule: string, relation: string | null, actor: string | null, object?: string): Finding => ({
  id: `${rule}:${object ?? relation ?? '-'}:${actor ?? '-'}`,
  rule,
  severity: 'error',
  relation,
  actor,
  message: `${rule} on ${relation}`,
  fix: 'fix it',
  reproduction: rule.startsWith('probe-') ? '-- tenantproof: replay' : null,
  ...(object ? { object } : {}),
});

const config = (accept: Array<Record<string, string>>, ignore: Array<Record<string, string>> = []) =>
  ({ accept, lint: { rules: {}, ignore } }) as unknown as Parameters<typeof applyAccepted>[1];

describe('applyAccepted', () => {
  const probe = finding('probe-read', 'app.profiles', 'member');
  const other = finding('probe-read', 'app.profiles', 'admin');
  const lintOne = finding('unique-omits-tenant-column', 'app.users', null, 'constraint app.users.users_email_key');

  it('turns a matching probe finding into info with reason and reviewer, keeping id, order and the rest', () => {
    const out = applyAccepted([probe, other, lintOne], config([{ rule: 'probe-read', relation: 'app.profiles', actor: 'member', reason: 'public profiles', reviewedBy: 'security@example.test' }]));
    expect(out.map((f) => f.id)).toEqual([probe.id, other.id, lintOne.id]);
    expect(out[0]).toEqual({ ...probe, severity: 'info', message: `${probe.message} (accepted: public profiles, reviewed by security@example.test)` });
    expect(out[1]).toEqual(other); // another actor: not accepted
    expect(out[2]).toEqual(lintOne);
  });

  it('matches on every field the entry names, and lint.ignore is the same as accept', () => {
    const byObject = config([], [{ rule: 'unique-omits-tenant-column', object: 'constraint app.users.users_email_key', reason: 'global e-mail' }]);
    expect(applyAccepted([lintOne], byObject)[0]).toMatchObject({ severity: 'info', message: `${lintOne.message} (accepted: global e-mail)` });
    const wrongObject = config([{ rule: 'unique-omits-tenant-column', object: 'constraint app.users.other_key', reason: 'x' }]);
    expect(applyAccepted([lintOne], wrongObject)).toEqual([lintOne]);
    const wrongRule = config([{ rule: 'probe-update', relation: 'app.profiles', reason: 'x' }]);
    expect(applyAccepted([probe], wrongRule)).toEqual([probe]);
  });

  it('never drops a finding', () => {
    const all = config([{ rule: 'probe-read', reason: 'x' }]);
    expect(applyAccepted([probe, other], all)).toHaveLength(2);
  });
});
