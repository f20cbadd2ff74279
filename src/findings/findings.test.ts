import { describe, expect, it } from 'vitest';
import { compareFindings, countBySeverity, dedupeFindings, findingId, sortFindings, verdictOf } from './findings.js';
import { isolationReportSchema, type Finding } from './types.js';

const f = (over: Partial<Finding>): Finding => ({
  id: 'x',
  rule: 'r',
  severity: 'warning',
  relation: null,
  actor: null,
  message: 'm',
  fix: 'f',
  reproduction: null,
  ...over,
});

describe('findings', () => {
  it('ids name the rule, the exact object (else the relation) and the actor', () => {
    expect(findingId('rls-not-forced', { relation: 'app.users' }, null)).toBe('rls-not-forced:app.users:-');
    expect(findingId('policy-always-true', { relation: 'app.t', object: 'policy app.t.p' }, 'member')).toBe('policy-always-true:policy app.t.p:member');
    expect(findingId('leakproof-function', { relation: null }, null)).toBe('leakproof-function:-:-');
  });

  it('sorts errors first, then by rule, relation, object, actor', () => {
    const list = [
      f({ id: '4', severity: 'info', rule: 'a' }),
      f({ id: '3', severity: 'warning', rule: 'b', relation: 'x.b' }),
      f({ id: '2', severity: 'warning', rule: 'b', relation: 'x.a' }),
      f({ id: '1', severity: 'error', rule: 'z' }),
    ];
    expect(sortFindings(list).map((x) => x.id)).toEqual(['1', '2', '3', '4']);
    expect(compareFindings(list[0]!, list[0]!)).toBe(0);
  });

  it('dedupes by id, keeping the most severe', () => {
    const out = dedupeFindings([f({ id: 'a', severity: 'warning' }), f({ id: 'a', severity: 'error' }), f({ id: 'b', severity: 'info' })]);
    expect(out.map((x) => [x.id, x.severity])).toEqual([
      ['a', 'error'],
      ['b', 'info'],
    ]);
  });

  it('fails the verdict on an error only', () => {
    expect(verdictOf([])).toBe('pass');
    expect(verdictOf([f({ severity: 'warning' }), f({ severity: 'info' })])).toBe('pass');
    expect(verdictOf([f({ severity: 'warning' }), f({ severity: 'error' })])).toBe('fail');
    expect(countBySeverity([f({ severity: 'error' }), f({ severity: 'error' }), f({ severity: 'info' })])).toEqual({ error: 2, warning: 0, info: 1 });
  });

  it('the report schema accepts the contract and rejects a broken report', () => {
    const report = {
      tool: 'tenantproof',
      version: '0.1.0',
      seed: 42,
      verdict: 'fail',
      findings: [
        f({ id: 'rls-not-forced:app.users:-', rule: 'rls-not-forced', severity: 'error', relation: 'app.users', location: { file: 'migrations/committed/000001.sql', line: 12 } }),
      ],
      matrix: [{ relation: 'app.users', actor: 'member', probe: 'read', status: 'skipped', reason: 'no rows', checks: 0 }],
      coverage: { relations: 1, actors: 1, worlds: 0, rows: 0, checks: 0 },
    };
    expect(isolationReportSchema.parse(report)).toEqual(report);
    expect(isolationReportSchema.safeParse({ ...report, verdict: 'maybe' }).success).toBe(false);
    expect(isolationReportSchema.safeParse({ ...report, findings: [{ ...report.findings[0], severity: 'fatal' }] }).success).toBe(false);
    expect(isolationReportSchema.safeParse({ ...report, coverage: { relations: 1 } }).success).toBe(false);
    expect(isolationReportSchema.safeParse({ ...report, matrix: [{ ...report.matrix[0], status: 'ok' }] }).success).toBe(false);
  });
});
