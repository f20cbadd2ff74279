/**
 * Every probe, by id. The table is keyed by ProbeId: a probe id without a
 * definition, or a definition without its title, fix or phrase, does not
 * compile. Adding a probe: one file in defs/, its id in ids.ts, one line
 * here, and a mutation in tests/mutations/catalog.ts that it must catch.
 */
import { call, callOtherTenant } from './defs/call.js';
import { deleteProbe } from './defs/delete.js';
import { duplicateKey } from './defs/duplicate-key.js';
import { insert, insertReturning } from './defs/insert.js';
import { move } from './defs/move.js';
import { readEscalated } from './defs/read-escalated.js';
import { readForged } from './defs/read-forged.js';
import { readEmpty, readMalformed, readUnset } from './defs/read-modes.js';
import { read } from './defs/read.js';
import { reference } from './defs/reference.js';
import { steal } from './defs/steal.js';
import { update } from './defs/update.js';
import { upsert } from './defs/upsert.js';
import { PROBE_IDS, type ProbeId } from './ids.js';
import type { ProbeDefinition } from './probe.js';

export const PROBES: { readonly [K in ProbeId]: ProbeDefinition<K> } = {
  read: read,
  'read-unset': readUnset,
  'read-empty': readEmpty,
  'read-malformed': readMalformed,
  'read-forged': readForged,
  'read-escalated': readEscalated,
  insert: insert,
  'insert-returning': insertReturning,
  update: update,
  delete: deleteProbe,
  move: move,
  steal: steal,
  reference: reference,
  upsert: upsert,
  call: call,
  'call-other-tenant': callOtherTenant,
  'duplicate-key': duplicateKey,
};

/** Probes in the report's order. */
export const PROBE_LIST: readonly ProbeDefinition[] = PROBE_IDS.map((id) => PROBES[id]);
