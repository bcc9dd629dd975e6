/**
 * PostgreSQL 15 keyword categories (pg_get_keywords()). Words not listed are unreserved or
 * plain identifiers. Eddy's streaming words (stream, sink, emit, watermark, flush, ...) are
 * not keywords at all: statements recognise them by position, so they stay usable as names.
 */

const words = (s: string): ReadonlySet<string> => new Set(s.split(/\s+/).filter(Boolean));

/** R: never a column/table/function/type name unless quoted (allowed after AS). */
export const RESERVED = words(`
  all analyse analyze and any array as asc asymmetric both case cast check collate column constraint
  create current_catalog current_date current_role current_time current_timestamp current_user default
  deferrable desc distinct do else end except false fetch for foreign from grant group having in
  initially intersect into lateral leading limit localtime localtimestamp not null offset on only or
  order placing primary references returning select session_user some symmetric table then to trailing
  true union unique user using variadic when where window with`);

/** T: may name a function or type, not a column or table. */
export const TYPE_FUNC_NAME = words(`
  authorization binary collation concurrently cross current_schema freeze full ilike inner is isnull
  join left like natural notnull outer overlaps right similar tablesample verbose`);

/** C: may name a column or table, and is a type or special function; not a generic function name. */
export const COL_NAME = words(`
  between bigint bit boolean char character coalesce dec decimal exists extract float greatest grouping
  inout int integer interval least national nchar none normalize nullif numeric out overlay position
  precision real row setof smallint substring time timestamp treat trim values varchar xmlattributes
  xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable`);

/** Keywords that cannot be a column label without AS (`SELECT 1 day` is fine, `SELECT 1 from` is not). */
export const NON_BARE_LABEL = words(`
  array as char character create day except fetch filter for from grant group having hour intersect
  into isnull limit minute month notnull offset on order over overlaps precision returning second to
  union varying where window with within without year`);
