import { describe, expect, it } from 'vitest';
import { quoteIdent, quoteLiteral, quoteQualified, quoteRelation } from './text.js';

describe('SQL text', () => {
  it('quotes identifiers exactly where quote_ident does', () => {
    expect(quoteIdent('tenant_id')).toBe('tenant_id');
    expect(quoteIdent('my policy')).toBe('"my policy"');
    expect(quoteIdent('Tenants')).toBe('"Tenants"');
    expect(quoteIdent('user')).toBe('"user"');
    expect(quoteIdent('order')).toBe('"order"');
    expect(quoteIdent('a"b')).toBe('"a""b"');
    expect(quoteIdent('1st')).toBe('"1st"');
    expect(quoteIdent('name.')).toBe('"name."');
  });

  it('writes qualified names and literals', () => {
    expect(quoteQualified('app', 'user')).toBe('app."user"');
    expect(quoteRelation('app.documents')).toBe('app.documents');
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });
});

describe('against the server', () => {
  it('agrees with quote_ident on every keyword the server knows and on awkward names', async () => {
    const { openPool } = await import('../db/pool.js');
    const { sql } = await import('@databases/pg');
    const { inject } = await import('vitest');
    const db = await openPool({ connectionString: inject('serverUrl'), poolSize: 1, warm: 1 });
    try {
      const names = ['tenant_id', 'my policy', 'Tenants', 'name.', 'a"b', '1st', 'é', '$x', 'x$'];
      const rows = await db.query(sql`select w, quote_ident(w) as q from unnest(array(select word::text from pg_get_keywords()) || ${names}::text[]) w`);
      expect(rows.length).toBeGreaterThan(400);
      for (const r of rows) expect(quoteIdent(r.w as string), r.w as string).toBe(r.q);
    } finally {
      await db.dispose();
    }
  });
});
