/**
 * SQL text in one place: literals and identifiers as PostgreSQL's
 * quote_literal and quote_ident write them. Everything tenantproof prints
 * as SQL (fixes, replays, generated runners) quotes through here, so a
 * policy named "my policy" or a schema named "a." stays valid SQL.
 */

/** PostgreSQL's reserved, column-name and type/function-name keywords: quote_ident quotes these. */
const KEYWORDS = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case cast char character check ' +
    'coalesce collate collation column concurrently constraint create cross current_catalog current_date current_role current_schema ' +
    'current_time current_timestamp current_user dec decimal default deferrable desc distinct do else end except exists extract false fetch ' +
    'float for foreign freeze from full grant greatest group grouping having ilike in initially inner inout int integer intersect interval into ' +
    'is isnull join json json_array json_arrayagg json_exists json_object json_objectagg json_query json_scalar json_serialize json_table ' +
    'json_value lateral leading least left like limit localtime localtimestamp merge_action national natural nchar none normalize not notnull ' +
    'null nullif numeric offset on only or order out outer overlaps overlay placing position precision primary real references returning right ' +
    'row select session_user setof similar smallint some substring symmetric system_user table tablesample then time timestamp to trailing ' +
    'treat trim true union unique user using values varchar variadic verbose when where window with xmlattributes xmlconcat xmlelement ' +
    'xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable'
  ).split(' '),
);

/** An identifier as quote_ident writes it: bare when it is a plain lower-case name that is no keyword, else double-quoted. */
export function quoteIdent(name: string): string {
  if (/^[a-z_][a-z0-9_]*$/.test(name) && !KEYWORDS.has(name)) return name;
  return `"${name.replaceAll('"', '""')}"`;
}

/** `schema.name` from its two parts, each quoted as quote_ident would. */
export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * A relation's display name (`schema.name`, as the catalog keys relations) as SQL. The split is at
 * the first dot: schema names with a dot are not supported by the catalog's keys either.
 */
export function quoteRelation(qualifiedName: string): string {
  const dot = qualifiedName.indexOf('.');
  if (dot < 0) return quoteIdent(qualifiedName);
  return quoteQualified(qualifiedName.slice(0, dot), qualifiedName.slice(dot + 1));
}

/** A string literal; standard_conforming_strings is on in every supported version. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
