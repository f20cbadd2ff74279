/**
 * The proposal as a config file: plain data (no import), each guess with its
 * reason in a comment above it, each open point as `// QUESTION:`.
 */
import { proposalToConfig, type ConfigProposal } from './proposal.js';

// Single quotes, or double quotes for SQL (which is full of single quotes).
const lit = (s: string) => (s.includes("'") && !s.includes('"') ? JSON.stringify(s) : `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : lit(k));
function value(v: unknown): string {
  if (typeof v === 'string') return lit(v);
  if (Array.isArray(v)) return `[${v.map(value).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, x]) => `${key(k)}: ${value(x)}`).join(', ')} }`;
  }
  return String(v);
}
const comment = (indent: string, text: string) => `${indent}// ${text}`;
const questionLines = (indent: string, qs: readonly string[]) => qs.map((q) => comment(indent, `QUESTION: ${q}`));

type Data = { tenancy: Record<string, unknown>; actors: Array<Record<string, unknown>>; platformRoles?: Array<Record<string, unknown>>; globalTables: Array<Record<string, unknown>> };

export function renderConfig(p: ConfigProposal, source: string): string {
  const c = proposalToConfig(p) as Data;
  const t = p.tenancy;
  const lines: string[] = [
    `// tenantproof.config.ts, proposed by \`tenantproof init\` from ${source}.`,
    '// Every guess says why; answer each QUESTION (then delete it) and run `tenantproof gate`.',
    '// Plain data, no import: tenantproof validates it when it loads it and names every mistake with its fix.',
    ...questionLines('', p.questions),
    '',
    'export default {',
    '  tenancy: {',
    ...t.why.map((w) => comment('    ', w)),
    ...questionLines('    ', t.questions),
  ];
  for (const [k, v] of Object.entries(c.tenancy)) {
    if (k === 'principals' && t.memberships) lines.push(comment('    ', t.memberships.why), ...questionLines('    ', t.memberships.questions));
    lines.push(`    ${key(k)}: ${value(v)},`);
  }
  lines.push('  },', '  actors: [');
  p.actors.forEach((a, i) => {
    lines.push(comment('    ', a.why), ...(a.notes ?? []).map((n) => comment('    ', n)), ...questionLines('    ', a.questions), `    ${value(c.actors[i])},`);
  });
  lines.push('  ],');
  if (c.platformRoles) {
    lines.push('  // Roles that see every tenant by design, and the logins that may switch to them.', '  platformRoles: [');
    for (const r of c.platformRoles) lines.push(`    ${value(r)},`);
    lines.push('  ],');
  }
  lines.push('  globalTables: [');
  p.globalTables.forEach((g, i) => {
    lines.push(...questionLines('    ', g.questions), `    ${value(c.globalTables[i])},`);
  });
  lines.push('  ],', '};', '');
  return lines.join('\n');
}
