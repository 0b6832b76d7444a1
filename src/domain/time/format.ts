/** The one wire form of an instant in responses and callbacks: `YYYY-MM-DDTHH:MM:SSZ` (SPEC 4). */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
