/**
 * What every repository shares: how a column's value is read and written (a codec), one table's
 * column list (from which its INSERT, upsert and row mapper are built), and the small query helpers.
 */
import { placeholders, type SqlExecutor, type SqlValue } from '../executor.ts';

export type Row = Record<string, unknown>;

/** How one record field is stored in one column. */
export type Codec<V> = {
  read(value: unknown): V;
  write(value: V): SqlValue;
  /** False for columns the database fills itself (never inserted). */
  readonly inserted?: false;
};

const isAbsent = (value: unknown): value is null | undefined => value === null || value === undefined;

export const text: Codec<string> = { read: (v) => String(v), write: (v) => v };
export const textOrNull: Codec<string | null> = {
  read: (v) => (isAbsent(v) ? null : String(v)),
  write: (v) => v,
};
/** An optional field: absent is stored as NULL, and NULL reads back as null. */
export const textOrAbsent: Codec<string | null | undefined> = {
  read: (v) => (isAbsent(v) ? null : String(v)),
  write: (v) => v ?? null,
};
export const int: Codec<number> = { read: (v) => Number(v), write: (v) => v };
export const intOrNull: Codec<number | null> = {
  read: (v) => (isAbsent(v) ? null : Number(v)),
  write: (v) => v,
};
/** Stored as 0/1 on both dialects. */
export const bool: Codec<boolean> = { read: (v) => Number(v) === 1, write: (v) => (v ? 1 : 0) };
/** A counter the database keeps (defaults to 0, bumped by statements, never inserted). */
export const counter: Codec<number> = { read: (v) => Number(v ?? 0), write: (v) => v, inserted: false };

export function json<T>(): Codec<T> {
  return { read: (v) => JSON.parse(String(v)) as T, write: (v) => JSON.stringify(v) };
}

export function jsonOrNull<T>(): Codec<T | null> {
  return {
    read: (v) => (isAbsent(v) ? null : (JSON.parse(String(v)) as T)),
    write: (v) => (v === null ? null : JSON.stringify(v)),
  };
}

/** The members of a `'a|b|c'` list. */
type Choices<S extends string> = S extends `${infer First}|${infer Rest}` ? First | Choices<Rest> : S;

/** One of a closed set of strings (`'a|b|c'`); anything else reads as the first (the default). */
export function oneOf<const S extends string>(choices: S): Codec<Choices<S>> {
  const values = choices.split('|') as Choices<S>[];
  return {
    read: (v) => values.find((known) => known === String(v)) ?? values[0]!,
    write: (v) => v,
  };
}

export type Codecs<T> = { readonly [K in keyof T]-?: Codec<T[K]> };

export type Table<T> = {
  readonly name: string;
  /** The column a field is stored in. */
  column(field: keyof T): string;
  /** `INSERT INTO name (…) VALUES (?, …)` over every inserted column, in `values` order. */
  readonly insert: string;
  values(record: T): SqlValue[];
  /**
   * The INSERT, replacing `updated` fields when a row with the same `key` exists; with `rows`, of
   * that many records at once (their `values` one after another; their keys must differ).
   */
  upsert(key: readonly (keyof T)[], updated: readonly (keyof T)[], rows?: number): string;
  decode(row: Row): T;
};

const snakeCase = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * A table's columns, written once: each record field with its codec; the column name is the field in
 * snake_case unless `renamed` says otherwise.
 */
export function table<T>(
  name: string,
  codecs: Codecs<T>,
  renamed: Partial<Record<keyof T, string>> = {},
): Table<T> {
  const fields = Object.keys(codecs) as (keyof T & string)[];
  const column = (field: keyof T): string => renamed[field] ?? snakeCase(String(field));
  const columns = fields.map(column);
  const stored = fields.filter((field) => codecs[field].inserted !== false);
  const tuple = `(${stored.map(() => '?').join(', ')})`;
  const insertRows = (rows: number) =>
    `INSERT INTO ${name} (${stored.map(column).join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`;
  const insert = insertRows(1);
  return {
    name,
    column,
    insert,
    values: (record) => stored.map((field) => codecs[field].write(record[field])),
    upsert: (key, updated, rows = 1) =>
      `${insertRows(rows)} ON CONFLICT (${key.map(column).join(', ')}) DO UPDATE SET ${updated
        .map((field) => `${column(field)} = excluded.${column(field)}`)
        .join(', ')}`,
    decode(row) {
      const record: Partial<Record<keyof T, unknown>> = {};
      fields.forEach((field, i) => {
        record[field] = codecs[field].read(row[columns[i]!]);
      });
      return record as T;
    },
  };
}

/** Reads and writes of one table's records over one executor. */
export type Rows<T> = {
  one(sql: string, params: readonly SqlValue[]): Promise<T | undefined>;
  many(sql: string, params: readonly SqlValue[]): Promise<T[]>;
  /**
   * Rows whose key is among `ids` (none when `ids` is empty): `sql` receives the placeholder list;
   * its parameters are `before`, the ids, then `after`.
   */
  manyIn(
    ids: readonly string[],
    sql: (list: string) => string,
    params?: { readonly before?: readonly SqlValue[]; readonly after?: readonly SqlValue[] },
  ): Promise<T[]>;
  /** The `n` of `SELECT COUNT(*) AS n …`. */
  count(sql: string, params: readonly SqlValue[]): Promise<number>;
  insert(record: T): Promise<void>;
};

export function rowsOf<T>(db: SqlExecutor, of: Table<T>): Rows<T> {
  const many = async (sql: string, params: readonly SqlValue[]): Promise<T[]> =>
    (await db.all<Row>(sql, params)).map(of.decode);
  return {
    many,
    async one(sql, params) {
      const [first] = await many(sql, params);
      return first;
    },
    async manyIn(ids, sql, { before = [], after = [] } = {}) {
      if (ids.length === 0) return [];
      return many(sql(placeholders(ids.length)), [...before, ...ids, ...after]);
    },
    async count(sql, params) {
      const rows = await db.all<Row>(sql, params);
      return Number(rows[0]?.n ?? 0);
    },
    async insert(record) {
      await db.run(of.insert, of.values(record));
    },
  };
}
