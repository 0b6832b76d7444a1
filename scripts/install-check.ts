/**
 * The production install, checked without a container engine: copies the tree as git ships it
 * (`git ls-files`) into a clean temporary directory, runs the Dockerfile's install step
 * (`RUN npm ci --omit=dev …`) there against the npm registry, then starts rtseq twice and probes
 * `/readyz` each time:
 *  1. `npx rtseq serve` as docs/deployment.md says, with every node_modules/.bin of this checkout
 *     taken off PATH, so only the installed dependencies can provide Node 24;
 *  2. the Dockerfile's `ENTRYPOINT` + `CMD` with its final stage's `ENV` (HOST=0.0.0.0, PATH),
 *     `/app` and `/data` mapped into the directory, and its `HEALTHCHECK` command run as well.
 * Run it with `node scripts/install-check.ts`; test/deploy/install.test.ts runs it too.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const NETWORK_FAILURE = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network/i;

export type InstallCheck =
  | { readonly outcome: 'passed'; readonly steps: readonly string[] }
  | { readonly outcome: 'registry-unreachable'; readonly detail: string };

type Dockerfile = {
  readonly install: string;
  readonly env: Readonly<Record<string, string>>;
  readonly start: readonly string[];
  readonly healthcheck: readonly string[];
};

/** The lines of the Dockerfile the check performs; throws when one is missing. */
export function readDockerfile(text: string): Dockerfile {
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  const stages = lines.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const lastFrom = stages.findLastIndex((l) => l.startsWith('FROM '));
  const final = stages.slice(lastFrom);
  const install = stages.find((l) => /^RUN npm ci\b/.test(l))?.slice('RUN '.length);
  const json = (prefix: string, from: readonly string[]) => {
    const line = from.find((l) => l.startsWith(prefix));
    return line === undefined ? undefined : (JSON.parse(line.slice(line.indexOf('['))) as string[]);
  };
  const entrypoint = json('ENTRYPOINT ', final);
  const cmd = json('CMD ', final) ?? [];
  const healthcheck = json('HEALTHCHECK ', final);
  const env: Record<string, string> = {};
  for (const line of final.filter((l) => l.startsWith('ENV '))) {
    for (const pair of line.slice(4).trim().split(/\s+/)) {
      const at = pair.indexOf('=');
      if (at > 0) env[pair.slice(0, at)] = pair.slice(at + 1);
    }
  }
  if (install === undefined || entrypoint === undefined || healthcheck === undefined)
    throw new Error('Dockerfile: expected RUN npm ci, ENTRYPOINT [...] and HEALTHCHECK ... CMD [...]');
  return { install, env, start: [...entrypoint, ...cmd], healthcheck };
}

/** Copies the tracked files (their working-tree content) into `to`, as `git archive` would. */
function copyShippedTree(to: string): void {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0');
  for (const file of files.filter((f) => f !== '')) {
    const from = join(ROOT, file);
    if (!existsSync(from)) continue; // deleted in the working tree, not yet committed
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(from, join(to, file));
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Starts `argv`, waits until GET /readyz answers 200, and returns the child with its output. */
async function startAndProbe(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv, port: number) {
  // Its own process group: npx runs rtseq as a child of its own, and stopping must reach both.
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`\`${argv.join(' ')}\` exited early:\n${output}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return { child, output: () => output };
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`\`${argv.join(' ')}\`: /readyz did not answer 200 within 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.pid === undefined) return;
  process.kill(-child.pid, 'SIGTERM');
  // A graceful stop drains in well under 20 s; past that the group is killed, not waited for.
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** PATH without any node_modules/.bin: only the installed tree may provide Node 24. */
function systemPath(): string {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !entry.includes('node_modules'))
    .join(delimiter);
}

export async function installCheck(log: (line: string) => void = () => {}): Promise<InstallCheck> {
  const dockerfile = readDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'rtseq-install-'));
  const steps: string[] = [];
  try {
    copyShippedTree(dir);
    const base = { ...process.env, PATH: systemPath(), LOG_LEVEL: 'warn' } as NodeJS.ProcessEnv;
    for (const key of ['DATABASE_URL', 'SECRET_KEY', 'METRICS_PORT', 'NODE_OPTIONS']) delete base[key];
    log(`install: ${dockerfile.install} (in ${dir})`);
    const install = spawnSync('sh', ['-c', dockerfile.install], {
      cwd: dir,
      env: base,
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (install.status !== 0) {
      const text = `${install.stdout}${install.stderr}${install.error?.message ?? ''}`;
      if (NETWORK_FAILURE.test(text)) return { outcome: 'registry-unreachable', detail: text.slice(-2000) };
      throw new Error(`${dockerfile.install} failed:\n${text}`);
    }
    steps.push(dockerfile.install);

    const port = await freePort();
    const npx = ['npx', '--no-install', 'rtseq', 'serve'];
    log(`start: ${npx.join(' ')}`);
    const first = await startAndProbe(
      npx,
      dir,
      { ...base, PORT: String(port), HOST: '127.0.0.1', SQLITE_PATH: join(dir, 'data', 'npx.db') },
      port,
    );
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    await stop(first.child);
    if (!/nodejs_version_info\{[^}]*version="v24\./.test(metrics))
      throw new Error(`the server did not run on Node 24:\n${metrics.slice(0, 2000)}`);
    steps.push(`${npx.join(' ')}: /readyz 200 on Node 24`);

    const mapped = (value: string) =>
      value
        .replaceAll('/app', dir)
        .replaceAll('/data/', `${join(dir, 'data')}/`)
        .replace('$PATH', base.PATH!);
    const env: NodeJS.ProcessEnv = { ...base };
    for (const [key, value] of Object.entries(dockerfile.env)) env[key] = mapped(value);
    const dockerPort = await freePort();
    env.PORT = String(dockerPort);
    log(`start: ${dockerfile.start.join(' ')} with the Dockerfile's ENV`);
    const second = await startAndProbe(dockerfile.start, dir, env, dockerPort);
    try {
      const probe = spawnSync(dockerfile.healthcheck[0]!, dockerfile.healthcheck.slice(1), {
        cwd: dir,
        env,
        encoding: 'utf8',
        timeout: 30_000,
      });
      if (probe.status !== 0)
        throw new Error(`HEALTHCHECK ${dockerfile.healthcheck.join(' ')} exited ${probe.status}`);
    } finally {
      await stop(second.child);
    }
    steps.push(`${dockerfile.start.join(' ')} (HOST=${env.HOST}): /readyz 200, HEALTHCHECK passed`);
    return { outcome: 'passed', steps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const result = await installCheck((line) => process.stdout.write(`${line}\n`));
  if (result.outcome === 'registry-unreachable') {
    process.stderr.write(`The npm registry could not be reached:\n${result.detail}\n`);
    process.exit(1);
  }
  process.stdout.write(`install check passed:\n- ${result.steps.join('\n- ')}\n`);
}
