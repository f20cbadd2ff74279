/**
 * Escaping for every output format, in one place.
 *
 * HTML is written only through the `html` tagged template: every interpolated
 * value is escaped unless it is itself the result of `html` (or `trusted`, for
 * the report's own constant CSS and script). User data (relation names,
 * messages, SQL) can therefore not reach the page unescaped by accident: the
 * unsafe path has to be spelled out.
 */

// ---- HTML ----

/** Markup that is already safe: produced by `html`, or a constant of this module's callers. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an HTML element or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

/** Auto-escaping template: `html\`<td>${name}</td>\``. Arrays are joined; null, undefined and false render nothing. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += renderValue(values[i]) + strings[i + 1]!;
  return new SafeHtml(out);
}

function renderValue(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return (v as readonly HtmlValue[]).map(renderValue).join('');
  return escapeHtml(String(v));
}

/** A constant of the report itself (its CSS, its script): never user data. */
export function trusted(constant: string): SafeHtml {
  return new SafeHtml(constant);
}

// ---- XML (JUnit) ----

// Characters XML 1.0 cannot carry at all, even escaped: C0 controls but tab, LF, CR; U+FFFE/FFFF; lone surrogates.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text for an XML element or a double-quoted attribute; characters XML forbids become U+FFFD. */
export function escapeXml(text: string): string {
  return text.replace(XML_INVALID, '\uFFFD').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

// ---- Markdown (GitHub flavoured) ----

/**
 * Prose in Markdown: characters that would start markup (emphasis, links,
 * code, HTML, table cells) are backslash-escaped; intra-word underscores
 * (tenant_id) are left alone, as GFM does not read them as emphasis. Line
 * breaks become spaces so that a value stays inside its paragraph or cell.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*[\]<>|&~]/g, (c) => `\\${c}`)
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
    .replace(/^([#+\-=!])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

/** An inline code span that holds any text: the fence is longer than any backtick run inside. */
export function mdCode(text: string, o: { inTable?: boolean } = {}): string {
  let body = text.replace(/\r?\n/g, ' ');
  // In a GFM table a pipe ends the cell even inside code: it must be escaped there too.
  if (o.inTable) body = body.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' ') && body.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** A fenced code block that holds any text: the fence is longer than any backtick run inside. */
export function mdCodeBlock(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${lang}\n${text.replace(/\s+$/, '')}\n${fence}`;
}
