/**
 * Fails when a layer imports what it must not (docs/ARCHITECTURE.md, "Import rules").
 * Layers point inward: http/web/jobs → app → domain; adapters implement ports; only main.ts
 * (and server.ts for http/web) knows the concrete pieces; cli/ (the `rtseq` command) builds on main.ts.
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
  | 'main'
  | 'cli';

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
  main: ['main', 'cli', 'server', 'http', 'web', 'jobs', 'app', 'ports', 'domain', 'config', 'adapters'],
  cli: ['cli', 'main', 'server', 'http', 'web', 'jobs', 'app', 'ports', 'domain', 'config', 'adapters'],
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
    const targetLayer = layerOf(target);
    if (targetLayer === undefined || !ALLOWED[layer].includes(targetLayer)) {
      problems.push(`${file}: ${layer} may not import ${specifier} (${targetLayer ?? 'outside src'})`);
    }
  }
}
if (problems.length > 0) {
  process.stderr.write(`Layer rule violations:\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('Layer rules hold.\n');
