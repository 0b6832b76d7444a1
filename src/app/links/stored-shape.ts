/**
 * Shapes of stored JSON: each one reads an unknown value into its type (or throws naming the
 * dotted path that does not fit) and describes itself as text, so a test can pin a stored format
 * (test: stored-link.test.ts compares the description with the one recorded for LINK_FORMAT).
 */

export class StoredShapeError extends Error {
  override name = 'StoredShapeError';
}

export type Shape<T> = {
  /** The shape as text: field names, types, nullability, defaults. */
  readonly describe: string;
  read(value: unknown, path: string): T;
};

export type Read<S> = S extends Shape<infer T> ? T : never;

function fail(path: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  throw new StoredShapeError(`${path}: expected ${expected}, found ${got}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const str: Shape<string> = {
  describe: 'string',
  read: (v, path) => (typeof v === 'string' ? v : fail(path, 'a string', v)),
};

export const num: Shape<number> = {
  describe: 'number',
  read: (v, path) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(path, 'a number', v)),
};

export const bool: Shape<boolean> = {
  describe: 'boolean',
  read: (v, path) => (typeof v === 'boolean' ? v : fail(path, 'a boolean', v)),
};

export const strOrNum: Shape<string | number> = {
  describe: 'string | number',
  read: (v, path) =>
    typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))
      ? v
      : fail(path, 'a string or number', v),
};

/** A JSON object kept as sent (event templates): only its being an object is checked. */
export const jsonObject: Shape<Readonly<Record<string, unknown>>> = {
  describe: 'json-object',
  read: (v, path) => (isRecord(v) ? v : fail(path, 'an object', v)),
};

export function oneOf<const L extends string>(...values: L[]): Shape<L> {
  return {
    describe: values.map((v) => JSON.stringify(v)).join(' | '),
    read: (v, path) => values.find((known) => known === v) ?? fail(path, `one of ${values.join(', ')}`, v),
  };
}

export function nullable<T>(shape: Shape<T>): Shape<T | null> {
  return {
    describe: `${shape.describe} | null`,
    read: (v, path) => (v === null ? null : shape.read(v, path)),
  };
}

export function list<T>(shape: Shape<T>): Shape<readonly T[]> {
  return {
    describe: `[${shape.describe}]`,
    read: (v, path) =>
      Array.isArray(v) ? v.map((item, i) => shape.read(item, `${path}[${i}]`)) : fail(path, 'an array', v),
  };
}

/** A field that older rows may lack: absent (undefined) reads as `fallback`. */
export function defaulted<T>(shape: Shape<T>, fallback: T): Shape<T> {
  return {
    describe: `${shape.describe} = ${JSON.stringify(fallback)}`,
    read: (v, path) => (v === undefined ? fallback : shape.read(v, path)),
  };
}

type Fields = Readonly<Record<string, Shape<unknown>>>;
export type ObjectOf<F extends Fields> = { readonly [K in keyof F]: Read<F[K]> };

/** An object with exactly these fields read (others, such as the format number, are ignored). */
export function object<const F extends Fields>(fields: F): Shape<ObjectOf<F>> & { readonly fields: F } {
  const entries = Object.entries(fields);
  return {
    fields,
    describe: `{${entries.map(([key, shape]) => `${key}: ${shape.describe}`).join(', ')}}`,
    read(v, path) {
      if (!isRecord(v)) return fail(path, 'an object', v);
      const out: Record<string, unknown> = {};
      for (const [key, shape] of entries) out[key] = shape.read(v[key], `${path}.${key}`);
      // Every field of F was read by its own shape just above.
      return out as ObjectOf<F>;
    },
  };
}
