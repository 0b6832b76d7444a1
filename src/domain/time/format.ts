/**
 * The one wire form of an instant in responses and callbacks: `YYYY-MM-DDTHH:MM:SSZ` (SPEC 4).
 * It runs twice for every period and slot of every answer, and answers repeat the same instants
 * (slot boundaries on a grid, the same windows asked again), so recent forms are remembered: a
 * lookup costs a tenth of `toISOString`. Bounded: emptied when it holds MEMO_SIZE instants.
 */
const MEMO_SIZE = 8_192;
const memo = new Map<number, string>();

export function formatUtc(ms: number): string {
  const known = memo.get(ms);
  if (known !== undefined) return known;
  const iso = new Date(ms).toISOString();
  // Years 0000-9999 give the fixed 24-character form; other years keep the expanded form's sign.
  const text = iso.length === 24 ? `${iso.slice(0, 19)}Z` : iso.replace(/\.\d{3}Z$/, 'Z');
  if (memo.size >= MEMO_SIZE) memo.clear();
  memo.set(ms, text);
  return text;
}
