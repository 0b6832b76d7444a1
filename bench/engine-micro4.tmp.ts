const mod = await import('./engine-scen.tmp.ts');
const q = mod.scenario(mod.L, 42);
const sorted = q.steps.flatMap(s => s.groups.flatMap(g => g.members.map(m => [...m.busy].sort((x, y) => x.start - y.start))));
type I = { start: number; end: number };
function v1(intervals: readonly I[]) {
  const total = intervals.length;
  const starts = new Float64Array(total); const ends = new Float64Array(total);
  let count = 0;
  for (let i = 0; i < total; i++) { const it = intervals[i]!; const s = it.start, e = it.end; if (!(s < e)) continue; starts[count] = s; ends[count] = e; count++; }
  return count;
}
function v2(intervals: readonly I[]) {
  const total = intervals.length;
  const starts = new Float64Array(total); const ends = new Float64Array(total);
  let count = 0;
  for (let i = 0; i < total; i++) { const it = intervals[i]!; const s = it.start, e = it.end; if (!(s < e)) continue; starts[count] = s; ends[count] = e; count++; }
  const out = new Float64Array(count * 2); let n = 0;
  for (let i = 0; i < count; i++) { const s = starts[i]!, e = ends[i]!; if (n > 0 && s <= out[n - 1]!) { if (e > out[n - 1]!) out[n - 1] = e; } else { out[n++] = s; out[n++] = e; } }
  return n === out.length ? out : out.slice(0, n);
}
for (const [name, f] of [['v1', v1], ['v2', v2]] as const) {
  const times: number[] = [];
  for (let r = 0; r < 30; r++) { const t = performance.now(); for (const b of sorted) f(b); times.push(performance.now() - t); }
  times.sort((a, b) => a - b); console.log(name, times[0].toFixed(1), times[15].toFixed(1));
}
let S = new Float64Array(0), E = new Float64Array(0), O = new Float64Array(0);
function v3(intervals: readonly I[]) {
  const total = intervals.length;
  if (S.length < total) { S = new Float64Array(total * 2); E = new Float64Array(total * 2); O = new Float64Array(total * 4); }
  const starts = S, ends = E, out = O;
  let count = 0;
  for (let i = 0; i < total; i++) { const it = intervals[i]!; const s = it.start, e = it.end; if (!(s < e)) continue; starts[count] = s; ends[count] = e; count++; }
  let n = 0;
  for (let i = 0; i < count; i++) { const s = starts[i]!, e = ends[i]!; if (n > 0 && s <= out[n - 1]!) { if (e > out[n - 1]!) out[n - 1] = e; } else { out[n++] = s; out[n++] = e; } }
  return out.slice(0, n);
}
for (const [name, f] of [['v3', v3]] as const) {
  const times: number[] = [];
  for (let r = 0; r < 30; r++) { const t = performance.now(); for (const b of sorted) f(b); times.push(performance.now() - t); }
  times.sort((a, b) => a - b); console.log(name, times[0].toFixed(1), times[15].toFixed(1));
}
function r0(intervals: readonly I[]) { let s = 0; for (let i = 0; i < intervals.length; i++) { const it = intervals[i]!; s += it.start + it.end; } return s; }
const all = q.steps.flatMap(s => s.groups.flatMap(g => g.members.map(m => m.busy)));
for (const [name, f, lists] of [['r0 sorted', r0, sorted], ['r0 all', r0, all], ['v1 all', v1, all]] as const) {
  const times: number[] = [];
  for (let r = 0; r < 30; r++) { const t = performance.now(); for (const b of lists) f(b); times.push(performance.now() - t); }
  times.sort((a, b) => a - b); console.log(name, times[0].toFixed(1), times[15].toFixed(1));
}
