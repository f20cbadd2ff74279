import { describe, expect, it } from 'vitest';
import { orBranches, stripOuterParens } from './branches.js';
import { loadParser } from './parser.js';

await loadParser();

const texts = (expr: string) => orBranches(expr)?.map((b) => b.text);

describe('OR branches on the tree, with their text', () => {
  it('splits at the top-level OR only, as pg_get_expr prints expressions', () => {
    expect(texts('((tenant_id = app.t()) OR true)')).toEqual(['tenant_id = app.t()', 'true']);
    expect(texts("((a = 'x OR y'::text) AND (b OR c))")).toEqual(["(a = 'x OR y'::text) AND (b OR c)"]);
    expect(texts('(x)')).toEqual(['x']);
    expect(texts('((a OR b) OR (c AND d))')).toEqual(['a', 'b', 'c AND d']);
  });

  it('keeps a branch whole when it starts with a parenthesis of its own (casts of columns)', () => {
    expect(texts("(((tenant_id)::text = current_setting('app.t'::text, true)) OR is_public)")).toEqual(["(tenant_id)::text = current_setting('app.t'::text, true)", 'is_public']);
    expect(texts("(is_public OR ((owner)::text = 'x'::text))")).toEqual(['is_public', "(owner)::text = 'x'::text"]);
  });

  it('a parenthesis inside a literal does not confuse the text', () => {
    expect(texts("((note = ')'::text) OR (note = '('::text))")).toEqual(["note = ')'::text", "note = '('::text"]);
  });

  it('returns null for text that does not parse', () => {
    expect(orBranches('a OR (')).toBeNull();
  });

  it('strips only parentheses that wrap the whole text', () => {
    expect(stripOuterParens('((a OR b))')).toBe('a OR b');
    expect(stripOuterParens('(a) OR (b)')).toBe('(a) OR (b)');
  });
});
