/**
 * A real Radicale CalDAV server for integration tests: own config, own htpasswd and storage in a
 * temp dir, on a free loopback port. Helpers talk to it with plain fetch (not through rtseq), so
 * tests can set up and check server state independently of the code under test.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type RadicaleServer = {
  /** Root URL, ending in `/`. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  /** Stops the server (idempotent) and removes its files. */
  stop(): Promise<void>;
  /** Stops the process but keeps its port and files, so {@link RadicaleServer.restart} brings the same data back. */
  halt(): Promise<void>;
  /** Starts a halted server again on the same port and folder; resolves once it answers. */
  restart(): Promise<void>;
};

const STARTUP_TIMEOUT_MS = 15_000;

/** Whether the `radicale` executable is on PATH. */
export function radicaleInstalled(): boolean {
  return spawnSync('radicale', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts Radicale, or returns null when it is not installed so the suite can skip with a reason.
 * On CI (`CI=true`) a missing Radicale is an error: the integration suite must run there.
 */
export async function startRadicale(): Promise<RadicaleServer | null> {
  if (!radicaleInstalled()) {
    if (process.env.CI === 'true') throw new Error('radicale is not installed (apt-get install radicale)');
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rtseq-radicale-'));
  const username = 'alice';
  const password = 'correct horse battery';
  const port = await freePort();
  writeFileSync(join(dir, 'users'), `${username}:${password}\n`);
  writeFileSync(
    join(dir, 'config'),
    [
      '[server]',
      `hosts = 127.0.0.1:${port}`,
      '[auth]',
      'type = htpasswd',
      `htpasswd_filename = ${join(dir, 'users')}`,
      'htpasswd_encryption = plain',
      'delay = 0',
      '[rights]',
      'type = owner_only',
      '[storage]',
      `filesystem_folder = ${join(dir, 'collections')}`,
      '[web]',
      'type = none',
      '[logging]',
      'level = warning',
      'mask_passwords = True',
      '',
    ].join('\n'),
  );
  let stderr = '';
  const launch = (): ChildProcess => {
    const started = spawn('radicale', ['-C', join(dir, 'config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    started.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    return started;
  };
  let child = launch();
  const url = `http://127.0.0.1:${port}/`;
  const stop = async (): Promise<void> => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilAnswering(url, child);
  } catch (error) {
    await stop();
    throw new Error(`radicale did not start: ${(error as Error).message}\n${stderr}`);
  }
  const halt = () => stopChild(child);
  const restart = async (): Promise<void> => {
    await stopChild(child);
    child = launch();
    try {
      await waitUntilAnswering(url, child);
    } catch (error) {
      throw new Error(`radicale did not restart: ${(error as Error).message}\n${stderr}`);
    }
  };
  return { url, username, password, stop, halt, restart };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function waitUntilAnswering(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`no answer within ${STARTUP_TIMEOUT_MS} ms`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function auth(server: RadicaleServer): Record<string, string> {
  return {
    Authorization: `Basic ${Buffer.from(`${server.username}:${server.password}`).toString('base64')}`,
  };
}

async function expectStatus(response: Response, allowed: readonly number[], what: string): Promise<string> {
  const body = await response.text();
  if (!allowed.includes(response.status))
    throw new Error(`${what}: HTTP ${response.status} ${body.slice(0, 500)}`);
  return body;
}

/** MKCALENDAR `/{username}/{name}/`; returns the calendar URL (ending in `/`). */
export async function createCalendar(
  server: RadicaleServer,
  name: string,
  displayName = name,
): Promise<string> {
  const calendarUrl = new URL(`${server.username}/${name}/`, server.url).href;
  const body = `<?xml version="1.0" encoding="utf-8"?>
<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:set><D:prop>
    <D:displayname>${displayName}</D:displayname>
    <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
  </D:prop></D:set>
</C:mkcalendar>`;
  // The first authenticated request makes Radicale create the user's principal collection.
  await expectStatus(
    await fetch(new URL(`${server.username}/`, server.url), {
      method: 'PROPFIND',
      headers: { ...auth(server), Depth: '0' },
    }),
    [207],
    'PROPFIND principal',
  );
  await expectStatus(
    await fetch(calendarUrl, {
      method: 'MKCALENDAR',
      headers: { ...auth(server), 'Content-Type': 'application/xml' },
      body,
    }),
    [201],
    'MKCALENDAR',
  );
  return calendarUrl;
}

/** PUTs a raw iCalendar object as `{calendarUrl}{fileName}`. */
export async function putRawEvent(
  server: RadicaleServer,
  calendarUrl: string,
  fileName: string,
  icsText: string,
): Promise<void> {
  await expectStatus(
    await fetch(new URL(fileName, calendarUrl), {
      method: 'PUT',
      headers: { ...auth(server), 'Content-Type': 'text/calendar; charset=utf-8' },
      body: icsText,
    }),
    [201, 204],
    'PUT event',
  );
}

/** Every calendar object in a calendar, read straight from Radicale: `href → iCalendar text`. */
export async function listRawEvents(
  server: RadicaleServer,
  calendarUrl: string,
): Promise<Map<string, string>> {
  const body = await expectStatus(
    await fetch(calendarUrl, {
      method: 'PROPFIND',
      headers: { ...auth(server), Depth: '1', 'Content-Type': 'application/xml' },
      body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>',
    }),
    [207],
    'PROPFIND calendar',
  );
  const calendarPath = new URL(calendarUrl).pathname;
  const hrefs = [...body.matchAll(/<(?:\w+:)?href>([^<]+)<\/(?:\w+:)?href>/g)]
    .map((match) => match[1]!)
    .filter((href) => href !== calendarPath && href.endsWith('.ics'));
  const events = new Map<string, string>();
  for (const href of hrefs) {
    const text = await expectStatus(
      await fetch(new URL(href, server.url), { headers: auth(server) }),
      [200],
      'GET event',
    );
    events.set(href, text);
  }
  return events;
}
