/**
 * A real rtseq server for HTTP and SDK tests: `buildServer` with real storage, listening on a
 * loopback socket, with a controllable clock and one application ready to use.
 *
 * Storage is SQLite on a temporary file by default. `makeStore` replaces it (any `Store`), and
 * `RTSEQ_TEST_STORE=postgres` runs the same tests on PostgreSQL through `test/support/postgres.ts`,
 * which must export `makePostgresStore(): Store | Promise<Store>` (a fresh, empty database).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { randomIds, secretBox } from '../../src/adapters/crypto.ts';
import { SqliteStore } from '../../src/adapters/storage/sqlite/sqlite-store.ts';
import { createApplicationCalendar } from '../../src/app/accounts.ts';
import { createApplication } from '../../src/app/applications.ts';
import type { AppContext } from '../../src/app/context.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { Store } from '../../src/ports/store.ts';
import { buildServer } from '../../src/server.ts';

export type TestClock = { now(): number; set(ms: number): void; advance(ms: number): void };

export type TestAccount = {
  readonly sub: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly calendarId: string;
  readonly profileId: string;
};

export type TestServer = {
  /** Base URL, e.g. `http://127.0.0.1:41234` (also the configured PUBLIC_URL). */
  readonly url: string;
  readonly app: FastifyInstance;
  readonly ctx: AppContext;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly applicationId: string;
  readonly clock: TestClock;
  /** A new account with one native calendar (idempotent per id, like the API). */
  createAccount(
    applicationCalendarId: string,
    options?: { tzid?: string; name?: string },
  ): Promise<TestAccount>;
  /** A second application on the same server, for tenancy tests. */
  createApplication(name: string): Promise<{ clientId: string; clientSecret: string; applicationId: string }>;
  /** One request through `inject` (no socket); `body` is sent as JSON unless `rawBody` is given. */
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  close(): Promise<void>;
};

export type CallOptions = {
  readonly token?: string;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly headers?: Readonly<Record<string, string>>;
};

export type CallResult = {
  readonly status: number;
  readonly text: string;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies freely
  readonly json: any;
  readonly headers: Readonly<Record<string, unknown>>;
};

export type TestServerOptions = {
  /** Environment overrides for loadConfig (PUBLIC_URL is always the listening address). */
  readonly env?: Readonly<Record<string, string>>;
  readonly pageSize?: number;
  /** Epoch ms the clock starts at; default 2026-03-02T08:00:00Z (a Monday). */
  readonly now?: number;
  readonly makeStore?: () => Store | Promise<Store>;
};

/** A port free right now (PUBLIC_URL must be known before the server is built). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

export const DEFAULT_NOW = Date.UTC(2026, 2, 2, 8, 0, 0);

async function defaultStore(): Promise<{ store: Store; cleanup: () => void }> {
  if ((process.env.RTSEQ_TEST_STORE ?? 'sqlite') === 'postgres') {
    // Resolved at run time so this file type-checks whether or not the helper exists yet.
    const helperPath = './postgres.ts';
    const helper = (await import(helperPath)) as { makePostgresStore: () => Store | Promise<Store> };
    return { store: await helper.makePostgresStore(), cleanup: () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'rtseq-test-'));
  return {
    store: new SqliteStore(join(dir, 'rtseq.db')),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { store, cleanup } =
    options.makeStore === undefined
      ? await defaultStore()
      : { store: await options.makeStore(), cleanup: () => {} };
  await store.migrate();

  let now = options.now ?? DEFAULT_NOW;
  const clock: TestClock = {
    now: () => now,
    set: (ms) => {
      now = ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const ctx: AppContext = {
    config: loadConfig({ ...(options.env ?? {}), PUBLIC_URL: url, ALLOW_PRIVATE_CALLBACKS: 'true' }),
    store,
    clock,
    ids: randomIds,
    secrets: secretBox(null),
    external: null,
  };
  const app = buildServer({
    ctx,
    logger: false,
    version: 'test',
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
  });
  await app.listen({ port, host: '127.0.0.1' });

  const created = await createApplication(ctx, 'test application');
  const application = await store.read((repos) => repos.applications.byId(created.applicationId));
  if (application === undefined) throw new Error('application not stored');

  return {
    url,
    app,
    ctx,
    clientId: created.clientId,
    clientSecret: created.clientSecret,
    applicationId: created.applicationId,
    clock,
    async createAccount(applicationCalendarId, accountOptions = {}) {
      const result = await createApplicationCalendar(ctx, application, applicationCalendarId, accountOptions);
      return {
        sub: result.account.id,
        accessToken: result.accessToken,
        refreshToken: result.refreshToken,
        calendarId: result.calendar.id,
        profileId: result.account.profileId,
      };
    },
    async createApplication(name) {
      return createApplication(ctx, name);
    },
    async call(method, path, callOptions = {}) {
      const headers: Record<string, string> = { ...(callOptions.headers ?? {}) };
      if (callOptions.token !== undefined) headers.authorization = `Bearer ${callOptions.token}`;
      let payload: string | undefined;
      if (callOptions.rawBody !== undefined) payload = callOptions.rawBody;
      else if (callOptions.body !== undefined) payload = JSON.stringify(callOptions.body);
      if (payload !== undefined && headers['content-type'] === undefined)
        headers['content-type'] = 'application/json';
      const response = await app.inject({
        method: method as 'GET',
        url: path,
        headers,
        ...(payload === undefined ? {} : { payload }),
      });
      let json: unknown;
      try {
        json = response.body === '' ? undefined : JSON.parse(response.body);
      } catch {
        json = undefined;
      }
      return { status: response.statusCode, text: response.body, json, headers: response.headers };
    },
    async close() {
      await app.close();
      await store.close();
      cleanup();
    },
  };
}
