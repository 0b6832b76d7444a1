/**
 * The Calendar API v3 half of the fake Google (fake-google.ts): calendarList, calendars.get,
 * events list (full, paged, incremental by sync token, 410 for an invalidated token), insert,
 * patch, delete, watch, channels.stop and freeBusy, answering in Google's JSON shapes.
 */
import { randomBytes } from 'node:crypto';
import {
  type CalendarState,
  type FakeCalendar,
  FakeGoogleError,
  type GoogleEventInput,
} from './fake-google-state.ts';

export type ApiAnswer = { status: number; body?: unknown };

export type WatchChannel = {
  readonly id: string;
  readonly resourceId: string;
  readonly calendarId: string;
  readonly address: string;
  readonly token: string | null;
  readonly expiration: number;
  stopped: boolean;
  messageNumber: number;
};

type PendingPages = { items: unknown[]; tail: Record<string, unknown>; header: Record<string, unknown> };

const DEFAULT_PAGE_SIZE = 250;
const MAX_PAGE_SIZE = 2500;

export class CalendarApi {
  readonly channels = new Map<string, WatchChannel>();
  /** Largest page the fake hands out, whatever maxResults asks (small values exercise paging). */
  pageSize: number;
  channelTtlMs: number;
  /** `sendUpdates` of every insert, patch and delete, in order (tests assert `none`). */
  readonly sendUpdates: (string | null)[] = [];
  private readonly pages = new Map<string, PendingPages>();
  private readonly state: CalendarState;
  private readonly apiUrl: () => string;
  /** Called after an API write changed a calendar's events (automatic push). */
  private readonly onChange: (calendarId: string) => void;
  /** Called once a channel is made (Google's `sync` message). */
  private readonly onWatch: (channel: WatchChannel) => void;

  constructor(input: {
    state: CalendarState;
    apiUrl: () => string;
    pageSize: number;
    channelTtlMs: number;
    onChange: (calendarId: string) => void;
    onWatch: (channel: WatchChannel) => void;
  }) {
    this.state = input.state;
    this.apiUrl = input.apiUrl;
    this.pageSize = input.pageSize;
    this.channelTtlMs = input.channelTtlMs;
    this.onChange = input.onChange;
    this.onWatch = input.onWatch;
  }

  calendarList(user: string, q: URLSearchParams): ApiAnswer {
    const pageToken = q.get('pageToken');
    if (pageToken !== null) return this.nextPage(pageToken, q);
    const entries = [...(this.state.access.get(user) ?? [])].map(([id, role]) => {
      const calendar = this.state.calendar(id);
      return {
        kind: 'calendar#calendarListEntry',
        etag: `"${calendar.seq}"`,
        id,
        summary: calendar.summary,
        timeZone: calendar.timeZone,
        accessRole: role,
        ...(id === user ? { primary: true } : {}),
        defaultReminders: [],
      };
    });
    return this.paged(
      entries,
      q,
      { kind: 'calendar#calendarList', etag: '"list"' },
      { nextSyncToken: 'list' },
    );
  }

  getCalendar(user: string, id: string): ApiAnswer {
    const { calendar } = this.state.reach(user, id);
    return {
      status: 200,
      body: {
        kind: 'calendar#calendar',
        etag: `"${calendar.seq}"`,
        id: calendar.id,
        summary: calendar.summary,
        timeZone: calendar.timeZone,
      },
    };
  }

  listEvents(user: string, id: string, q: URLSearchParams): ApiAnswer {
    const pageToken = q.get('pageToken');
    if (pageToken !== null) return this.nextPage(pageToken, q);
    const { calendar } = this.state.reach(user, id);
    const singleEvents = q.get('singleEvents') === 'true';
    const syncToken = q.get('syncToken');
    const header = {
      kind: 'calendar#events',
      etag: `"${calendar.seq}"`,
      summary: calendar.summary,
      updated: new Date(this.state.now()).toISOString(),
      timeZone: calendar.timeZone,
      accessRole: this.state.access.get(user)?.get(calendar.id),
      defaultReminders: [],
    };
    let events = this.state.listed(calendar, singleEvents);
    if (syncToken !== null) {
      for (const name of [
        'timeMin',
        'timeMax',
        'updatedMin',
        'q',
        'iCalUID',
        'orderBy',
        'privateExtendedProperty',
      ]) {
        if (q.has(name)) throw new FakeGoogleError(400, 'invalid', `${name} may not be used with syncToken.`);
      }
      const since = this.readSyncToken(calendar, syncToken);
      events = events.filter((e) => e.seq > since);
    } else {
      const timeMin = q.has('timeMin') ? Date.parse(q.get('timeMin')!) : Number.NEGATIVE_INFINITY;
      const timeMax = q.has('timeMax') ? Date.parse(q.get('timeMax')!) : Number.POSITIVE_INFINITY;
      if (Number.isNaN(timeMin) || Number.isNaN(timeMax))
        throw new FakeGoogleError(400, 'badRequest', 'Bad Request');
      const showDeleted = q.get('showDeleted') === 'true';
      events = events.filter((e) => (showDeleted || !e.deleted) && e.endMs > timeMin && e.startMs < timeMax);
    }
    const items = events.map((e) => this.state.resource(calendar, e));
    return this.paged(items, q, header, { nextSyncToken: this.syncToken(calendar) });
  }

  insertEvent(user: string, id: string, q: URLSearchParams, body: unknown): ApiAnswer {
    const calendar = this.writable(user, id);
    this.sendUpdates.push(q.get('sendUpdates'));
    const stored = this.state.insert(calendar, body as GoogleEventInput);
    this.onChange(calendar.id);
    return { status: 200, body: this.state.resource(calendar, stored) };
  }

  getEvent(user: string, id: string, eventId: string): ApiAnswer {
    const { calendar } = this.state.reach(user, id);
    return { status: 200, body: this.state.resource(calendar, this.state.existing(calendar, eventId)) };
  }

  patchEvent(user: string, id: string, eventId: string, q: URLSearchParams, body: unknown): ApiAnswer {
    const calendar = this.writable(user, id);
    this.sendUpdates.push(q.get('sendUpdates'));
    if (this.state.existing(calendar, eventId).deleted) {
      throw new FakeGoogleError(410, 'deleted', 'Resource has been deleted');
    }
    const stored = this.state.patch(calendar, eventId, body as Partial<GoogleEventInput>);
    this.onChange(calendar.id);
    return { status: 200, body: this.state.resource(calendar, stored) };
  }

  deleteEvent(user: string, id: string, eventId: string, q: URLSearchParams): ApiAnswer {
    const calendar = this.writable(user, id);
    this.sendUpdates.push(q.get('sendUpdates'));
    this.state.remove(calendar, eventId);
    this.onChange(calendar.id);
    return { status: 204 };
  }

  watch(user: string, id: string, body: unknown): ApiAnswer {
    const { calendar } = this.state.reach(user, id);
    const request = (body ?? {}) as { id?: unknown; type?: unknown; address?: unknown; token?: unknown };
    if (typeof request.id !== 'string' || !/^[A-Za-z0-9\-_+/=]{1,64}$/.test(request.id)) {
      throw new FakeGoogleError(400, 'invalid', 'Invalid channel id.');
    }
    if (request.type !== 'web_hook' && request.type !== 'webhook') {
      throw new FakeGoogleError(400, 'invalid', 'Invalid channel type.');
    }
    if (typeof request.address !== 'string' || !/^https?:\/\//.test(request.address)) {
      throw new FakeGoogleError(400, 'push.webhookUrlNotHttps', 'WebHook callback must be HTTPS.');
    }
    if (this.channels.has(request.id)) {
      throw new FakeGoogleError(400, 'channelIdNotUnique', `Channel id ${request.id} not unique`);
    }
    const channel: WatchChannel = {
      id: request.id,
      resourceId: calendar.resourceId,
      calendarId: calendar.id,
      address: request.address,
      token: typeof request.token === 'string' ? request.token : null,
      expiration: this.state.now() + this.channelTtlMs,
      stopped: false,
      messageNumber: 0,
    };
    this.channels.set(channel.id, channel);
    this.onWatch(channel);
    return {
      status: 200,
      body: {
        kind: 'api#channel',
        id: channel.id,
        resourceId: channel.resourceId,
        resourceUri: this.resourceUri(calendar.id),
        ...(channel.token === null ? {} : { token: channel.token }),
        expiration: String(channel.expiration),
      },
    };
  }

  stopChannel(body: unknown): ApiAnswer {
    const request = (body ?? {}) as { id?: unknown; resourceId?: unknown };
    const channel = typeof request.id === 'string' ? this.channels.get(request.id) : undefined;
    if (channel === undefined || channel.stopped || channel.resourceId !== request.resourceId) {
      throw new FakeGoogleError(404, 'notFound', `Channel '${String(request.id)}' not found for project '0'`);
    }
    channel.stopped = true;
    return { status: 204 };
  }

  freeBusy(user: string, body: unknown): ApiAnswer {
    const request = (body ?? {}) as { timeMin?: unknown; timeMax?: unknown; items?: unknown };
    const from = Date.parse(String(request.timeMin));
    const to = Date.parse(String(request.timeMax));
    if (Number.isNaN(from) || Number.isNaN(to) || !Array.isArray(request.items)) {
      throw new FakeGoogleError(400, 'badRequest', 'Bad Request');
    }
    if (to <= from) throw new FakeGoogleError(400, 'timeRangeEmpty', 'The specified time range is empty.');
    const calendars: Record<string, unknown> = {};
    for (const item of request.items as { id?: unknown }[]) {
      const id = String(item.id);
      try {
        const { calendar } = this.state.reach(user, id);
        const busy = this.state.busy(calendar, from, to).map((b) => ({
          start: new Date(b.start).toISOString().replace('.000Z', 'Z'),
          end: new Date(b.end).toISOString().replace('.000Z', 'Z'),
        }));
        calendars[id] = { busy };
      } catch {
        calendars[id] = { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] };
      }
    }
    return {
      status: 200,
      body: { kind: 'calendar#freeBusy', timeMin: request.timeMin, timeMax: request.timeMax, calendars },
    };
  }

  /** `{apiUrl}calendar/v3/calendars/{id}/events?alt=json`, Google's X-Goog-Resource-URI. */
  resourceUri(calendarId: string): string {
    return `${this.apiUrl()}calendar/v3/calendars/${encodeURIComponent(calendarId)}/events?alt=json`;
  }

  private writable(user: string, id: string): FakeCalendar {
    const { calendar, role } = this.state.reach(user, id);
    if (role !== 'owner' && role !== 'writer') {
      throw new FakeGoogleError(
        403,
        'requiredAccessLevel',
        'You need to have writer access to this calendar.',
      );
    }
    return calendar;
  }

  /** Tokens carry the calendar, its token generation and the change sequence they were issued at. */
  private syncToken(calendar: FakeCalendar): string {
    const raw = JSON.stringify([calendar.id, calendar.generation, calendar.seq]);
    return `CP${Buffer.from(raw).toString('base64url')}`;
  }

  private readSyncToken(calendar: FakeCalendar, token: string): number {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(token.slice(2), 'base64url').toString('utf8'));
    } catch {
      parsed = null;
    }
    const [calendarId, generation, seq] = Array.isArray(parsed) ? parsed : [];
    if (calendarId !== calendar.id || typeof seq !== 'number') {
      throw new FakeGoogleError(400, 'invalid', 'Invalid sync token value.');
    }
    if (generation !== calendar.generation) {
      throw new FakeGoogleError(
        410,
        'fullSyncRequired',
        'Sync token is no longer valid, a full sync is required.',
      );
    }
    return seq;
  }

  /** First page of a listing; the rest waits under an opaque page token (a consistent snapshot). */
  private paged(
    items: unknown[],
    q: URLSearchParams,
    header: Record<string, unknown>,
    tail: Record<string, unknown>,
  ): ApiAnswer {
    const asked = Number(q.get('maxResults') ?? DEFAULT_PAGE_SIZE);
    const size = Math.max(
      1,
      Math.min(Number.isFinite(asked) ? asked : DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, this.pageSize),
    );
    if (items.length <= size) return { status: 200, body: { ...header, ...tail, items } };
    const token = randomBytes(16).toString('base64url');
    this.pages.set(token, { items: items.slice(size), tail, header });
    return { status: 200, body: { ...header, nextPageToken: token, items: items.slice(0, size) } };
  }

  private nextPage(token: string, q: URLSearchParams): ApiAnswer {
    const pending = this.pages.get(token);
    if (pending === undefined) throw new FakeGoogleError(400, 'invalid', 'Invalid page token value.');
    this.pages.delete(token);
    return this.paged(pending.items, q, pending.header, pending.tail);
  }
}
