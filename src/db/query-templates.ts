// Queries whose SQL is fixed, built and compiled by Kysely once and kept. Building and compiling
// a query (the builder's immutable nodes, then the compiler's walk over them) cost a home timeline
// request about a tenth of its CPU: ~17 queries, each the same text every time with other values.
// A template is built once per database engine and shape of its parameters, with markers in the
// place of the values; each run puts the values where the markers are.
import type { Compilable, CompiledQuery, Kysely } from "kysely";
import type { DB } from "./schema.ts";
// The keep-prepared mark (db/prepared.ts): PostgreSQL parses a marked statement once per
// connection and may keep a generic plan; SQLite keeps every statement prepared anyway.
import { KEEP_PREPARED } from "./prepared.ts";

/**
 * A value in a query: one parameter, or a list for `in (…)` (never empty). A list's length is part
 * of the shape: it is padded (its last value repeated, which `in` does not mind) to a multiple of 8,
 * or of 32 past 64, so that pages of 17 or 20 statuses share one text. A list longer than
 * LONGEST_LIST makes the query built as usual, never padded (the engines' limits on parameters).
 */
type ParamValue = string | number | boolean | null | undefined | readonly string[];
type TemplateParams = Record<string, ParamValue>;
/** A template's parameters: named values (an interface qualifies as well as a type). */
export type Params<P> = { [K in keyof P]: ParamValue };

/**
 * Where a template's values go: a marker (a string that no client can send, since the API refuses
 * NUL characters) for each string or number, a list of markers for each list. `null`, `undefined`
 * and booleans are passed as they are and choose the shape (a builder may test them, e.g. a cursor
 * given or not); the builder must not look inside the others, and must take every value that
 * varies from its parameters (the time of day too), since it runs once.
 */
const MARK = "\u0000skein-param:";

/** Shapes kept per template and engine: beyond this, a query is built as usual. */
const SHAPES_KEPT = 64;
const LONGEST_LIST = 256;

interface Compiled {
  query: CompiledQuery;
  /** For each parameter of the SQL: the name (and list index) of a value, or a constant. */
  slots: ({ name: string; index: number } | { constant: unknown })[];
}

export interface TemplateOptions {
  /**
   * Keep the statement prepared on PostgreSQL. Only for a statement whose generic plan is as good
   * as the custom ones (EXPLAIN with plan_cache_mode force_generic_plan / force_custom_plan): the
   * home feed's took 8-11 ms to plan for ~1 ms of execution, and a generic plan of the same shape.
   */
  keepPrepared?: boolean;
  /**
   * Values written into the SQL text (each value a shape of its own), for numbers PostgreSQL plans
   * better knowing: a page's LIMIT, which a generic plan would otherwise guess at a tenth of the
   * rows and cost far above the custom plans, so that PostgreSQL kept planning every run.
   */
  inline?: readonly string[];
}

export interface QueryTemplate<P extends Params<P>, O> {
  (db: Kysely<DB>, params: P): Promise<O[]>;
}

/**
 * A query whose SQL depends only on the shape of `params` (which of them are null, the lengths of
 * lists), compiled once per engine and shape. `build` gets markers in the place of values; it may
 * be any Kysely query (select, update…) or a `sql` template compiled against `db`.
 */
export function queryTemplate<P extends Params<P>, O>(build: (db: Kysely<DB>, params: P) => Compilable<O>, options: TemplateOptions = {}): QueryTemplate<P, O> {
  // Per engine: the dialect's adapter is shared by a database and its transactions.
  const byEngine = new WeakMap<object, Map<string, Compiled>>();
  return async (db, params) => {
    const adapter = db.getExecutor().adapter;
    let shapes = byEngine.get(adapter);
    if (!shapes) byEngine.set(adapter, (shapes = new Map()));
    const shape = shapeOf(params as TemplateParams, options.inline);
    let compiled = shape === null ? undefined : shapes.get(shape);
    if (!compiled) {
      if (shape === null || shapes.size >= SHAPES_KEPT) return (await db.executeQuery(build(db, params))).rows as O[];
      const { markers, slots } = markersFor(params as TemplateParams, options.inline);
      compiled = compile(build(db, markers as P).compile(), slots, options.keepPrepared === true);
      shapes.set(shape, compiled);
    }
    const parameters = compiled.slots.map((slot) => {
      if ("constant" in slot) return slot.constant;
      const value = (params as TemplateParams)[slot.name];
      return Array.isArray(value) ? value[Math.min(slot.index, value.length - 1)] : value;
    });
    return (await db.executeQuery<O>({ ...compiled.query, parameters })).rows;
  };
}

/** The shape of these values; null when a list is too long to keep a text for. */
function shapeOf(params: TemplateParams, inline: readonly string[] = []): string | null {
  let shape = "";
  for (const name in params) {
    const value = params[name];
    if (Array.isArray(value) && value.length > LONGEST_LIST) return null;
    if (inline.includes(name)) {
      shape += `${name}=${String(value)},`;
      continue;
    }
    shape += `${name}:${Array.isArray(value) ? paddedLength(value.length) : value === null || value === undefined || typeof value === "boolean" ? String(value) : "v"},`;
  }
  return shape;
}

function paddedLength(n: number): number {
  if (n === 0) throw new Error("queryTemplate: an empty list (`in ()` is not SQL)");
  return n <= 64 ? Math.ceil(n / 8) * 8 : Math.ceil(n / 32) * 32;
}

/** The markers a builder gets, and which value each one stands for. */
function markersFor(params: TemplateParams, inline: readonly string[] = []): { markers: TemplateParams; slots: Map<string, { name: string; index: number }> } {
  const markers: TemplateParams = {};
  const slots = new Map<string, { name: string; index: number }>();
  for (const name in params) {
    const value = params[name];
    if (inline.includes(name)) markers[name] = value;
    else if (Array.isArray(value)) {
      markers[name] = Array.from({ length: paddedLength(value.length) }, (_, index) => {
        const marker = `${MARK}${name}:${index}`;
        slots.set(marker, { name, index });
        return marker;
      });
    } else if (typeof value === "string" || typeof value === "number") {
      const marker = `${MARK}${name}`;
      slots.set(marker, { name, index: -1 });
      markers[name] = marker;
    } else markers[name] = value;
  }
  return { markers, slots };
}

function compile(query: CompiledQuery, markers: Map<string, { name: string; index: number }>, keepPrepared: boolean): Compiled {
  // A marker in the text (a value inlined with sql.lit/sql.raw) or inside a longer value (a value
  // the builder changed) would bind the values of the first run to every later one.
  if (query.sql.includes(MARK)) throw new Error("queryTemplate: a parameter was inlined into the SQL text");
  const slots = query.parameters.map((p) => {
    if (typeof p !== "string" || !p.includes(MARK)) return { constant: p };
    const slot = markers.get(p);
    if (!slot) throw new Error("queryTemplate: a parameter was changed by the builder");
    return slot;
  });
  return { query: keepPrepared ? { ...query, sql: KEEP_PREPARED + query.sql } : query, slots };
}
