import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignCauses, type CauseFacts } from './causes.js';
import type { Finding } from './types.js';

const f = (over: Partial<Finding> & Pick<Finding, 'rule'>): Finding => ({
  id: `${over.rule}:${over.object ?? over.relation ?? '-'}:${over.actor ?? '-'}`,
  severity: 'error',
  relation: null,
  actor: null,
  message: 'm',
  fix: `fix ${over.rule}`,
  reproduction: null,
  ...over,
});
const probe = (probeId: string, relation: string, actor: string) => f({ rule: `probe-${probeId}`, relation, actor, reproduction: 'select 1;' });
const rel = (i: number) => `shop.t${String(i).padStart(2, '0')}`;

/** The id of the cause of each finding, by finding id. */
const causeById = (out: ReturnType<typeof assignCauses>) => new Map(out.findings.map((x) => [x.id, x.cause]));

describe('root causes', () => {
  it('an actor that inherits the owner explains every probe finding of that actor on its relations (the measured case: 93 errors, one cause)', () => {
    const facts: CauseFacts = {
      owners: Object.fromEntries([...Array.from({ length: 60 }, (_, i) => [rel(i + 1), 'shop_owner']), ['other.t', 'other_owner']]),
      actorRoles: { member: ['shop_member', 'shop_owner'], admin: ['shop_admin'] },
      inherits: { member: ['shop_member', 'shop_owner'], admin: ['shop_admin'] },
    };
    const findings = [
      f({ rule: 'actor-member-of-owner', actor: 'member', object: 'role shop_owner' }),
      ...Array.from({ length: 47 }, (_, i) => probe('read', rel(i + 1), 'member')),
      ...Array.from({ length: 46 }, (_, i) => probe('update', rel(i + 1), 'member')),
      probe('read', 'other.t', 'member'), // another owner's relation: not this cause
      probe('read', rel(1), 'admin'), // another actor: not this cause
    ];
    const out = assignCauses(findings, facts);
    const first = out.causes[0]!;
    expect(first).toMatchObject({ id: 'actor:member', kind: 'actor-owns-relation', subject: 'member', severity: 'error', fix: 'fix actor-member-of-owner' });
    expect(first.findings).toHaveLength(94);
    expect(first.findings.filter((id) => id.startsWith('probe-'))).toHaveLength(93);
    const cause = causeById(out);
    expect(cause.get('probe-read:other.t:member')).not.toBe('actor:member');
    expect(cause.get(`probe-read:${rel(1)}:admin`)).not.toBe('actor:member');
    expect(out.causes).toHaveLength(3);
  });

  it('the owner\'s relations without FORCE join the cause of the actor that inherits that owner', () => {
    const out = assignCauses(
      [f({ rule: 'actor-member-of-owner', actor: 'member', object: 'role o' }), f({ rule: 'rls-not-forced', relation: 'a.x' }), f({ rule: 'rls-not-forced', relation: 'a.y' })],
      { owners: { 'a.x': 'o', 'a.y': 'someone-else' } },
    );
    const cause = causeById(out);
    expect(cause.get('rls-not-forced:a.x:-')).toBe('actor:member');
    expect(cause.get('rls-not-forced:a.y:-')).toBe('finding:rls-not-forced:a.y:-');
  });

  it('an actor that bypasses row level security explains all of its probe findings, whoever owns the relation', () => {
    const out = assignCauses([f({ rule: 'actor-bypasses-rls', actor: 'svc', object: 'role svc' }), probe('read', 'a.x', 'svc'), probe('delete', 'b.y', 'svc')], { owners: { 'a.x': 'o1', 'b.y': 'o2' }, actorRoles: { svc: ['svc'] } });
    expect(out.causes).toHaveLength(1);
    expect(out.causes[0]).toMatchObject({ kind: 'actor-bypasses-rls', subject: 'svc', title: 'svc bypasses row level security (SUPERUSER or BYPASSRLS)' });
  });

  it('a role the actor may only SET ROLE to explains its escalation, not its other leaks; a route declared by design explains nothing', () => {
    const facts: CauseFacts = { owners: { 'a.x': 'o' }, actorRoles: { m: ['m', 'o', 'svc'], p: ['p', 'svc'] }, inherits: { m: ['m'], p: ['p'] } };
    const out = assignCauses(
      [
        f({ rule: 'actor-member-of-owner', actor: 'm', object: 'role o' }), // NOINHERIT: SET ROLE only
        f({ rule: 'actor-bypasses-rls', actor: 'p', object: 'role svc', severity: 'info' }), // declared in platformRoles
        probe('read', 'a.x', 'm'),
        probe('read-escalated', 'a.x', 'm'),
        probe('read', 'a.x', 'p'),
      ],
      facts,
    );
    const cause = causeById(out);
    expect(cause.get('probe-read-escalated:a.x:m')).toBe('actor:m');
    expect(cause.get('probe-read:a.x:m')).toBe('finding:probe-read:a.x:m');
    expect(cause.get('probe-read:a.x:p')).toBe('finding:probe-read:a.x:p');
    expect(cause.get('actor-bypasses-rls:role svc:p')).toBe('declared:role svc');
    expect(out.causes.find((c) => c.id === 'actor:m')!.title).toBe('m can SET ROLE to the owner of the relations');
  });

  it('an inherited owner does not explain leaks on relations that FORCE row level security', () => {
    const out = assignCauses([f({ rule: 'actor-member-of-owner', actor: 'm', object: 'role o' }), probe('read', 'a.x', 'm'), probe('read', 'a.y', 'm')], { owners: { 'a.x': 'o', 'a.y': 'o' }, inherits: { m: ['m', 'o'] }, forced: ['a.y'] });
    const cause = causeById(out);
    expect(cause.get('probe-read:a.x:m')).toBe('actor:m');
    expect(cause.get('probe-read:a.y:m')).toBe('finding:probe-read:a.y:m');
  });

  it('a relation without row level security explains the probe findings on it, for every actor', () => {
    const out = assignCauses([f({ rule: 'rls-not-enabled', relation: 'a.x' }), probe('read', 'a.x', 'm1'), probe('insert', 'a.x', 'm2'), probe('read', 'a.y', 'm1')]);
    expect(out.causes[0]).toMatchObject({ id: 'relation:a.x', kind: 'relation-without-rls', findings: ['probe-insert:a.x:m2', 'probe-read:a.x:m1', 'rls-not-enabled:a.x:-'] }); // in report order
    expect(causeById(out).get('probe-read:a.y:m1')).toBe('finding:probe-read:a.y:m1');
  });

  it('a policy explains the probe findings of the actors and commands it applies to, and no others', () => {
    const facts: CauseFacts = {
      actorRoles: { member: ['r_member'], admin: ['r_admin'] },
      policies: [{ relation: 'a.x', name: 'open. ', command: 'select', roles: ['r_member'] }],
    };
    const out = assignCauses([f({ rule: 'policy-always-true', relation: 'a.x', object: 'policy a.x.open. ' }), probe('read', 'a.x', 'member'), probe('read-unset', 'a.x', 'member'), probe('update', 'a.x', 'member'), probe('read', 'a.x', 'admin')], facts);
    const cause = causeById(out);
    expect(cause.get('probe-read:a.x:member')).toBe('policy:a.x.open. ');
    expect(cause.get('probe-read-unset:a.x:member')).toBe('policy:a.x.open. ');
    expect(cause.get('probe-update:a.x:member')).not.toBe('policy:a.x.open. '); // a SELECT policy does not open UPDATE
    expect(cause.get('probe-read:a.x:admin')).not.toBe('policy:a.x.open. '); // TO r_member only
    // The title names the policy quoted as SQL would: its name ends in a dot and a space.
    expect(out.causes.find((c) => c.id === 'policy:a.x.open. ')!.title).toBe('policy "open. " on a.x: policy-always-true');
  });

  it('a policy TO PUBLIC applies to every actor; an actor cause wins over a policy cause', () => {
    const facts: CauseFacts = { actorRoles: { a1: ['r1'], a2: ['r2'] }, policies: [{ relation: 's.t', name: 'p', command: 'all', roles: ['PUBLIC'] }] };
    const out = assignCauses([f({ rule: 'policy-to-public', relation: 's.t', object: 'policy s.t.p', severity: 'warning' }), f({ rule: 'actor-bypasses-rls', actor: 'a2', object: 'role r2' }), probe('delete', 's.t', 'a1'), probe('delete', 's.t', 'a2')], facts);
    const cause = causeById(out);
    expect(cause.get('probe-delete:s.t:a1')).toBe('policy:s.t.p');
    expect(cause.get('probe-delete:s.t:a2')).toBe('actor:a2');
    // The policy cause is as severe as the worst finding it explains.
    expect(out.causes.find((c) => c.id === 'policy:s.t.p')!.severity).toBe('error');
  });

  it('functions, foreign keys, unique keys and the tenant context explain their probes', () => {
    const out = assignCauses([
      f({ rule: 'security-definer-exposed', relation: 'a.x', actor: 'm', object: 'function a.f(uuid)' }),
      probe('call-other-tenant', 'a.f(uuid)', 'm'),
      f({ rule: 'fk-omits-tenant-column', relation: 'a.child', object: 'constraint a.child.child_parent_fkey' }),
      probe('reference', 'a.child', 'm'),
      probe('reference', 'a.child', 'n'),
      f({ rule: 'unique-omits-tenant-column', relation: 'a.x', object: 'constraint a.x.x_code_key', severity: 'warning' }),
      f({ rule: 'probe-duplicate-key', relation: 'a.x', actor: 'm', severity: 'warning' }),
      f({ rule: 'probe-pooled-context', actor: 'm', severity: 'warning' }),
      f({ rule: 'probe-pooled-context', actor: 'n', severity: 'warning' }),
      probe('read-unset', 'a.x', 'm'),
      probe('read-empty', 'a.y', 'n'),
    ]);
    const cause = causeById(out);
    expect(cause.get('probe-call-other-tenant:a.f(uuid):m')).toBe('function:a.f(uuid)');
    expect(cause.get('probe-reference:a.child:m')).toBe('foreign-key:constraint a.child.child_parent_fkey');
    expect(cause.get('probe-reference:a.child:n')).toBe('foreign-key:constraint a.child.child_parent_fkey');
    expect(cause.get('probe-duplicate-key:a.x:m')).toBe('unique:constraint a.x.x_code_key');
    expect(cause.get('probe-pooled-context:-:m')).toBe('context:pooled');
    expect(cause.get('probe-pooled-context:-:n')).toBe('context:pooled');
    expect(cause.get('probe-read-unset:a.x:m')).toBe('context:fails-open');
    expect(cause.get('probe-read-empty:a.y:n')).toBe('context:fails-open');
  });

  it('every finding has exactly one cause, the causes list each finding once, most findings first; the order of the input does not matter', () => {
    const rules = ['actor-member-of-owner', 'actor-bypasses-rls', 'rls-not-enabled', 'rls-not-forced', 'policy-always-true', 'fk-omits-tenant-column', 'convention-naming', 'probe-read', 'probe-update', 'probe-reference', 'probe-pooled-context', 'probe-read-unset', 'probe-over-restriction'];
    const finding = fc
      .record({ rule: fc.constantFrom(...rules), relation: fc.constantFrom('a.x', 'a.y', null), actor: fc.constantFrom('m', 'n', null), severity: fc.constantFrom('error' as const, 'warning' as const, 'info' as const), policy: fc.boolean() })
      .map((r) => f({ rule: r.rule, relation: r.relation, actor: r.actor, severity: r.severity, ...(r.policy && r.relation ? { object: `policy ${r.relation}.p` } : r.rule.startsWith('actor-') ? { object: 'role o' } : {}) }));
    const facts: CauseFacts = { owners: { 'a.x': 'o', 'a.y': 'p' }, actorRoles: { m: ['m', 'o'], n: ['n'] }, policies: [{ relation: 'a.x', name: 'p', command: 'select', roles: ['n'] }] };
    fc.assert(
      fc.property(fc.uniqueArray(finding, { selector: (x) => x.id, maxLength: 25 }), fc.integer(), (findings, seed) => {
        const out = assignCauses(findings, facts);
        const listed = out.causes.flatMap((c) => c.findings);
        expect(listed.sort()).toEqual(findings.map((x) => x.id).sort());
        for (const x of out.findings) expect(out.causes.find((c) => c.id === x.cause)!.findings).toContain(x.id);
        for (let i = 1; i < out.causes.length; i++) expect(out.causes[i - 1]!.findings.length).toBeGreaterThanOrEqual(out.causes[i]!.findings.length);
        // Shuffled input, and the output fed back: the same causes.
        const shuffled = [...findings].sort((a, b) => ((a.id.length * 31 + seed) % 7) - ((b.id.length * 31 + seed) % 7));
        expect(assignCauses(shuffled, facts)).toEqual(out);
        expect(assignCauses(out.findings, facts)).toEqual(out);
      }),
    );
  });
});
