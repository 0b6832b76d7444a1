/** Tag values (SPEC 7) as one column: a JSON array of strings, NULL when there are none. */
/** A column codec (see table.ts) for optional and nullable tag fields alike. */
export const tagValues = {
  read(value: unknown): readonly string[] | null {
    if (value === null || value === undefined) return null;
    try {
      const parsed: unknown = JSON.parse(String(value));
      return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : null;
    } catch {
      return null;
    }
  },
  write: (values: readonly string[] | null | undefined): string | null =>
    values === null || values === undefined || values.length === 0 ? null : JSON.stringify(values),
};

/** The values of a wire `tags` object (`{"private": [{"value": …}]}`), as events store it. */
export function tagValuesOf(tags: unknown): string[] | null {
  if (typeof tags !== 'object' || tags === null) return null;
  const list = (tags as { private?: unknown }).private;
  if (!Array.isArray(list)) return null;
  const values = list
    .map((item) =>
      typeof item === 'object' && item !== null ? (item as { value?: unknown }).value : undefined,
    )
    .filter((value): value is string => typeof value === 'string');
  return values.length === 0 ? null : values;
}
