/**
 * Fails when a layer imports what it must not (docs/ARCHITECTURE.md, "Import rules").
 * Layers point inward: http/web/jobs → app → domain; adapters implement ports; only wiring/ (the
 * composition root; and server.ts for http/web) knows the concrete pieces; cli/ (the `rtseq`
 * command) builds on wiring/; main.ts, the program, applies the heap policy (wiring/) and starts cli/. And no module imports itself
 * through others: any import cycle between files of src/ fails (type-only imports included).
 */
import { globSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

type Layer =
  | 'domain'
  | 'ports'
  | 'app'
  | 'adapters'
  | 'http'
  | 'web'
  | 'jobs'
  | 'config'
  | 'server'
  | 'wiring'
  | 'cli'
  | 'main';

const ALLOWED: Record<Layer, readonly Layer[]> = {
  config: ['config'],
  domain: ['domain'],
  ports: ['ports', 'domain'],
  app: ['app', 'ports', 'domain', 'config'],
  adapters: ['adapters', 'ports', 'domain', 'config'],
  http: ['http', 'app', 'ports', 'domain', 'config'],
  web: ['web', 'app', 'ports', 'domain', 'config'],
  jobs: ['jobs', 'app', 'ports', 'domain', 'config'],
  server: ['server', 'http', 'web', 'app', 'ports', 'domain', 'config'],
  wiring: ['wiring', 'server', 'http', 'web', 'jobs', 'app', 'ports', 'domain', 'config', 'adapters'],
  cli: ['cli', 'wiring', 'server', 'http', 'web', 'jobs', 'app', 'ports', 'domain', 'config'],
  main: ['cli', 'wiring'],
};

/**
 * The only packages the pure domain may import (none today): it does no I/O, reads no clock and no
 * environment, and imports nothing outside src/domain. A package that is truly needed (a date-time
 * library, say) is added here by name, never by pattern.
 */
const DOMAIN_PACKAGES: readonly string[] = [];

function layerOf(file: string): Layer | undefined {
  const rel = relative('src', file);
  if (rel === 'main.ts') return 'main';
  if (rel === 'server.ts') return 'server';
  const top = rel.split('/')[0];
  return (Object.keys(ALLOWED) as Layer[]).find((layer) => layer === top);
}

const problems: string[] = [];
/** Each source file's imports of other source files, for the cycle check. */
const edges = new Map<string, string[]>();
for (const file of globSync('src/**/*.ts')) {
  if (file.endsWith('.test.ts') || file.includes('.test-support.')) continue;
  const layer = layerOf(file);
  if (layer === undefined) {
    problems.push(`${file}: not inside a known layer folder`);
    continue;
  }
  const source = readFileSync(file, 'utf8');
  for (const match of source.matchAll(
    /(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]|require\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  )) {
    const specifier = match[1] ?? match[2] ?? match[3] ?? match[4]!;
    if (!specifier.startsWith('.')) {
      if (layer === 'domain' && !DOMAIN_PACKAGES.includes(specifier)) {
        problems.push(`${file}: the domain may import only src/domain, not ${specifier}`);
      }
      continue;
    }
    const target = normalize(join(dirname(file), specifier));
    edges.set(file, [...(edges.get(file) ?? []), target]);
    const targetLayer = layerOf(target);
    if (targetLayer === undefined || !ALLOWED[layer].includes(targetLayer)) {
      problems.push(`${file}: ${layer} may not import ${specifier} (${targetLayer ?? 'outside src'})`);
    }
  }
}
problems.push(...importCycles(edges).map((cycle) => `import cycle: ${cycle.join(' → ')}`));
if (problems.length > 0) {
  process.stderr.write(`Layer rule violations:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('Layer rules hold.\n');

/**
 * The import cycles among the files: one per strongly connected group of files (Tarjan's
 * algorithm, iterative), shown as one path around it.
 */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, index.size);
    low.set(root, index.get(root)!);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work.at(-1)!;
      const targets = graph.get(frame.node) ?? [];
      if (frame.next < targets.length) {
        const target = targets[frame.next++]!;
        if (!index.has(target)) {
          index.set(target, index.size);
          low.set(target, index.get(target)!);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== frame.node);
      const selfLoop = (graph.get(frame.node) ?? []).includes(frame.node);
      if (group.length > 1 || selfLoop) groups.push(cyclePath(graph, new Set(group)));
    }
  }
  return groups;
}

/** One path around a strongly connected group: from its first file back to it. */
function cyclePath(graph: ReadonlyMap<string, readonly string[]>, group: ReadonlySet<string>): string[] {
  const start = [...group].sort()[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    for (const target of graph.get(queue[i]!) ?? []) {
      if (target === start) {
        const path = [start];
        for (let at = queue[i]!; at !== start; at = previous.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (group.has(target) && !previous.has(target)) {
        previous.set(target, queue[i]!);
        queue.push(target);
      }
    }
  }
  return [start, start];
}
