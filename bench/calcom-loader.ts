/**
 * Loads Cal.com's TypeScript slot code from a directory outside this repository (it is AGPL and
 * never committed here; see bench/calcom.ts and docs/benchmarks.md for how to get it). Node's type
 * stripping runs the files as they are; this hook only resolves what Cal.com's monorepo would:
 * `@calcom/<pkg>/<path>` to `<dir>/packages/<pkg>/<path>.ts` (or `/index.ts`), extensionless
 * relative imports to `.ts`; bare packages (dayjs, zod) resolve from `<dir>/node_modules` as usual.
 * Three modules the slot path imports but never calls are replaced by stubs of our own: Sentry
 * (`withReporting` only calls it when `NEXT_PUBLIC_SENTRY_DSN` is set), the Prisma enums (just
 * `SchedulingType`) and `@calcom/lib/constants` (just `DEFAULT_GROUP_ID`, unused by collective
 * events).
 */
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const STUBS: Record<string, string> = {
  '@sentry/nextjs':
    'export const startSpan = () => { throw new Error("Sentry is not loaded"); };\n' +
    'export const captureException = () => {};',
  '@calcom/prisma/enums':
    'export const SchedulingType = { ROUND_ROBIN: "ROUND_ROBIN", COLLECTIVE: "COLLECTIVE", MANAGED: "MANAGED" };',
  '@calcom/lib/constants': 'export const DEFAULT_GROUP_ID = "default_group_id";',
};
const STUB_SCHEME = 'calcom-stub:';

/** `path.ts`, else `path/index.ts`, else `path` itself when it names a script; null if none exists. */
function tsFile(path: string): string | null {
  for (const candidate of [`${path}.ts`, join(path, 'index.ts')]) if (existsSync(candidate)) return candidate;
  return /\.[cm]?[jt]s$/.test(path) && existsSync(path) ? path : null;
}

/** Installs the resolution hook; returns `import('@calcom/<path>')`, e.g. `load('dayjs')`. */
export function registerCalcom(dir: string): (path: string) => Promise<unknown> {
  const root = pathToFileURL(`${dir}/`).href;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier in STUBS) return { url: STUB_SCHEME + specifier, format: 'module', shortCircuit: true };
      if (specifier.startsWith('@calcom/')) {
        const file = tsFile(join(dir, 'packages', specifier.slice('@calcom/'.length)));
        if (!file) throw new Error(`Cal.com module not found under ${dir}: ${specifier}`);
        return { url: pathToFileURL(file).href, format: 'module-typescript', shortCircuit: true };
      }
      const parent = context.parentURL;
      if (parent?.startsWith(root) && specifier.startsWith('.')) {
        const file = tsFile(join(fileURLToPath(new URL('.', parent)), specifier));
        if (file?.endsWith('.ts')) {
          return { url: pathToFileURL(file).href, format: 'module-typescript', shortCircuit: true };
        }
      }
      if (parent?.startsWith(root) && !specifier.startsWith('.') && !specifier.startsWith('node:')) {
        // A bundler finds `dayjs/plugin/utc` without its `.js`; Node's ESM resolution does not.
        try {
          return nextResolve(specifier, context);
        } catch {
          return nextResolve(`${specifier}.js`, context);
        }
      }
      return nextResolve(specifier, context);
    },
    load(url, context, nextLoad) {
      if (url.startsWith(STUB_SCHEME)) {
        return { format: 'module', source: STUBS[url.slice(STUB_SCHEME.length)], shortCircuit: true };
      }
      return nextLoad(url, context);
    },
  });
  return (path) => import(`@calcom/${path}`);
}
