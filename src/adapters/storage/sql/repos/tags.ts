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
