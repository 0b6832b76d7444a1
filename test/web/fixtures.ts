/**
 * Shared set-up for the booking page tests: a real server (test/support/server.ts), links created
 * through the same reader and use case as `POST /v1/real_time_sequencing`, busy events, and a
 * cookie-keeping page session that speaks plain form posts (no browser, no script).
 */
import { createLink } from '../../src/app/links/links.ts';
import { Problems } from '../../src/domain/errors.ts';
import { readLinkRequest } from '../../src/http/wire/links.ts';
import {
  startTestServer,
  type TestAccount,
  type TestServer,
  type TestServerOptions,
} from '../support/server.ts';

export type { TestAccount, TestServer };

const HOUR = 3_600_000;

/** A server with the page rate limit lifted (the rate-limit test sets its own). */
export function startWebServer(options: TestServerOptions = {}): Promise<TestServer> {
  return startTestServer({
    ...options,
    env: { PAGE_RATE_LIMIT_PER_SECOND: '1000000', ...(options.env ?? {}) },
  });
}

export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export type Link = {
  readonly url: string;
  readonly token: string;
  readonly id: string;
  readonly path: string;
};

/** Creates a link from a `POST /v1/real_time_sequencing` body (validated the same way). */
export async function createSequencingLink(server: TestServer, body: Record<string, unknown>): Promise<Link> {
  const { ctx } = server;
  const problems = new Problems();
  const { request, paths } = readLinkRequest(
    'sequencing',
    body,
    problems,
    ctx.config.limits,
    ctx.clock.now(),
  );
  problems.throwIfAny();
  const application = await ctx.store.read((repos) => repos.applications.byId(server.applicationId));
  if (application === undefined) throw new Error('no application');
  const { link, url } = await createLink(ctx, application, request, problems, paths);
  const token = url.slice(url.lastIndexOf('/') + 1);
  return { url, token, id: link.id, path: `/book/${token}` };
}

export type LinkOptions = {
  readonly summary?: string;
  readonly tzid?: string;
  readonly selectionMode?: 'confirm' | 'no_confirm';
  readonly hourFormat?: 'h' | 'H';
  readonly periods?: readonly { start: number; end: number }[];
  readonly redirectUri?: string;
  readonly state?: string;
  readonly noTimesSuitableUrl?: string;
  readonly completedUrl?: string;
  readonly eventId?: string;
};

/**
 * A two-step interview loop: a 60-minute pre-screen with the recruiter, then a 60-minute
 * face-to-face with one of the engineers, up to an hour later.
 */
export async function interviewLink(
  server: TestServer,
  people: { recruiter: TestAccount; engineers: readonly TestAccount[] },
  options: LinkOptions = {},
): Promise<Link> {
  const start = options.periods?.[0]?.start ?? server.clock.now() + 24 * HOUR;
  const periods = options.periods ?? [{ start, end: start + 8 * HOUR }];
  const everyone = [people.recruiter, ...people.engineers];
  return createSequencingLink(server, {
    oauth: {
      redirect_uri: options.redirectUri ?? 'https://example.com/done',
      state: options.state ?? 'st-1',
    },
    event: { event_id: options.eventId ?? 'interview', summary: options.summary ?? 'Interview loop' },
    tzid: options.tzid ?? 'Europe/London',
    selection_mode: options.selectionMode ?? 'no_confirm',
    formatting: { hour_format: options.hourFormat ?? 'H' },
    ...(options.noTimesSuitableUrl === undefined
      ? {}
      : { callback_urls: { no_times_suitable_url: options.noTimesSuitableUrl } }),
    ...(options.completedUrl === undefined ? {} : { redirect_urls: { completed_url: options.completedUrl } }),
    target_calendars: everyone.map((a) => ({ sub: a.sub, calendar_id: a.calendarId })),
    availability: {
      query_periods: periods.map((p) => ({ start: iso(p.start), end: iso(p.end) })),
      sequence: [
        {
          sequence_id: 'pre-screen',
          ordinal: 1,
          participants: [{ members: [{ sub: people.recruiter.sub }], required: 'all' }],
          required_duration: { minutes: 60 },
          event: { event_id: `${options.eventId ?? 'interview'}-pre`, summary: 'Pre-screen' },
        },
        {
          sequence_id: 'face-to-face',
          ordinal: 2,
          participants: [{ members: people.engineers.map((e) => ({ sub: e.sub })), required: 1 }],
          required_duration: { minutes: 60 },
          buffer: { before: { minimum: { minutes: 0 }, maximum: { minutes: 60 } } },
          event: { event_id: `${options.eventId ?? 'interview'}-f2f`, summary: 'Face-to-face' },
        },
      ],
    },
  });
}

/** A one-step link for a single participant (simple times, easy to reason about). */
export async function singleLink(
  server: TestServer,
  person: TestAccount,
  options: LinkOptions & { durationMinutes?: number; interval?: number } = {},
): Promise<Link> {
  const start = options.periods?.[0]?.start ?? server.clock.now() + 24 * HOUR;
  const periods = options.periods ?? [{ start, end: start + 4 * HOUR }];
  return createSequencingLink(server, {
    oauth: {
      redirect_uri: options.redirectUri ?? 'https://example.com/done',
      state: options.state ?? 'st-1',
    },
    event: { event_id: options.eventId ?? 'call', summary: options.summary ?? 'Intro call' },
    tzid: options.tzid ?? 'UTC',
    selection_mode: options.selectionMode ?? 'no_confirm',
    formatting: { hour_format: options.hourFormat ?? 'H' },
    ...(options.noTimesSuitableUrl === undefined
      ? {}
      : { callback_urls: { no_times_suitable_url: options.noTimesSuitableUrl } }),
    target_calendars: [{ sub: person.sub, calendar_id: person.calendarId }],
    availability: {
      query_periods: periods.map((p) => ({ start: iso(p.start), end: iso(p.end) })),
      sequence: [
        {
          sequence_id: 'call',
          participants: [{ members: [{ sub: person.sub }], required: 'all' }],
          required_duration: { minutes: options.durationMinutes ?? 60 },
          start_interval: { minutes: options.interval ?? 60 },
        },
      ],
    },
  });
}

/** A native busy event, written straight through the repos. */
export async function addBusy(
  server: TestServer,
  calendarId: string,
  start: number,
  end: number,
): Promise<void> {
  const { ctx } = server;
  await ctx.store.transaction((repos) =>
    repos.events.upsert({
      calendarId,
      eventId: `busy-${start}-${end}-${Math.random()}`,
      eventUid: ctx.ids.newId('evt'),
      summary: 'Busy',
      startMs: start,
      endMs: end,
      allDay: false,
      transparency: 'opaque',
      status: 'confirmed',
      deleted: false,
      data: {},
      createdAt: ctx.clock.now(),
      updatedAt: ctx.clock.now(),
    }),
  );
}

/** Events of a calendar overlapping a window (not deleted). */
export async function eventsIn(server: TestServer, calendarId: string, start: number, end: number) {
  const rows = await server.ctx.store.read((repos) => repos.events.busyIn([calendarId], { start, end }));
  return rows;
}

export type PageResponse = {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly location: string | undefined;
};

/** Decodes the few entities the page's escaping produces (enough to read attribute values back). */
export function unescapeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#96;/g, '`')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function csrfOf(body: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(body);
  if (match === null) throw new Error('no csrf field on the page');
  return unescapeHtml(match[1]!);
}

/** Every offered option key, in page order. */
export function optionKeysOf(body: string): string[] {
  return [...body.matchAll(/name="option" value="([^"]+)"/g)].map((m) => unescapeHtml(m[1]!));
}

/** Visible labels of the offered start times of the shown day, in page order. */
export function timeLabelsOf(body: string): string[] {
  return [...body.matchAll(/<label for="o\d+" class="chip"><time datetime="[^"]+">([^<]+)<\/time>/g)].map(
    (m) => unescapeHtml(m[1]!),
  );
}

/** The days of the shown month that have times (the calendar's day names, without the count). */
export function dayHeadingsOf(body: string): string[] {
  return [...body.matchAll(/<a class="on[^"]*" href="[^"]*" data-nav aria-label="([^"]+)"/g)].map((m) =>
    unescapeHtml(m[1]!).replace(/: \d+ times?$/, ''),
  );
}

/** The `day=` keys the calendar links to, in page order. */
export function dayKeysOf(body: string): string[] {
  return [...body.matchAll(/<a class="on[^"]*" href="[^"]*day=(\d{4}-\d\d-\d\d)"/g)].map((m) => m[1]!);
}

/** The start-time labels of every day of the shown month, day by day (`?day=` for each). */
export async function allTimeLabels(visitor: Visitor, path: string, query = ''): Promise<string[]> {
  const first = await visitor.get(`${path}${query}`);
  const labels: string[] = [];
  for (const day of dayKeysOf(first.body)) {
    const page = await visitor.get(`${path}${query === '' ? '?' : `${query}&`}day=${day}`);
    labels.push(...timeLabelsOf(page.body));
  }
  return labels;
}

/** A page visitor that keeps its cookie, over `inject` (no socket) or real HTTP (`fetch`). */
export class Visitor {
  cookie: string | undefined;
  readonly #server: TestServer;
  readonly #overHttp: boolean;

  constructor(server: TestServer, options: { overHttp?: boolean } = {}) {
    this.#server = server;
    this.#overHttp = options.overHttp ?? false;
  }

  /** Sent with every request: the page speaks the visitor's language (British English here). */
  acceptLanguage = 'en-GB';

  async get(path: string): Promise<PageResponse> {
    return this.#request('GET', path);
  }

  async post(path: string, form: Record<string, string>): Promise<PageResponse> {
    return this.#request('POST', path, new URLSearchParams(form).toString());
  }

  async #request(method: 'GET' | 'POST', path: string, body?: string): Promise<PageResponse> {
    const headers: Record<string, string> = {};
    if (this.cookie !== undefined) headers.cookie = this.cookie;
    if (this.acceptLanguage !== '') headers['accept-language'] = this.acceptLanguage;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    let result: PageResponse;
    if (this.#overHttp) {
      const response = await fetch(`${this.#server.url}${path}`, {
        method,
        headers,
        redirect: 'manual',
        ...(body === undefined ? {} : { body }),
      });
      const all: Record<string, string | string[] | undefined> = {};
      response.headers.forEach((value, key) => {
        all[key] = value;
      });
      const setCookie = response.headers.getSetCookie();
      if (setCookie.length > 0) all['set-cookie'] = setCookie;
      result = {
        status: response.status,
        body: await response.text(),
        headers: all,
        location: response.headers.get('location') ?? undefined,
      };
    } else {
      const response = await this.#server.app.inject({
        method,
        url: path,
        headers,
        ...(body === undefined ? {} : { payload: body }),
      });
      const location = response.headers.location;
      result = {
        status: response.statusCode,
        body: response.body,
        headers: response.headers as Record<string, string | string[] | undefined>,
        location: typeof location === 'string' ? location : undefined,
      };
    }
    const setCookie = result.headers['set-cookie'];
    const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
    if (typeof first === 'string') this.cookie = first.split(';')[0];
    return result;
  }
}
