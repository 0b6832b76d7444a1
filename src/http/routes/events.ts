import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type TSchema, Type } from 'typebox';
import type { AccountCaller } from '../../app/accounts/auth.ts';
import {
  deleteEvent,
  deleteEvents,
  readEvents,
  readFreeBusy,
  upsertEvent,
} from '../../app/calendars/events.ts';
import {
  decodePageToken,
  type PageCursor,
  type PagedResult,
  type PageKind,
} from '../../app/calendars/paging.ts';
import { DomainError, Problems } from '../../domain/errors.ts';
import { accepted, accountCaller, type HttpDeps, jsonBody, queryOf } from '../request.ts';
import { ACCOUNT_AUTH, CRONOFY, ERRORS, ErrorResponse, Pages, Tags, UtcTime } from '../schemas.ts';
import { readBulkDelete, readEventDelete, readEventUpsert } from '../wire/events.ts';
import { EVENT_ID_MAX } from '../wire/fields.ts';
import { eventToWire, freeBusyToWire } from '../wire/output.ts';
import {
  type PagedQuery,
  type QueryMap,
  readBulkDeleteQuery,
  readEventsQuery,
  readFreeBusyQuery,
} from '../wire/queries.ts';
import { isAbsent, isObject, type Json } from '../wire/reader.ts';

const open = { additionalProperties: true } as const;
const NOT_FOUND = { ...ErrorResponse, description: 'unknown calendar, or one of another account' };
const ACCEPTED = Type.Null({ description: 'accepted; no body' });

/** DateOrTime (reference 1.4): a UTC Time, a Date (all-day, end exclusive) or `{time, tzid}`. */
const EventTime = Type.Union([
  UtcTime,
  Type.String({ description: 'all-day: YYYY-MM-DD in the calendar time zone', examples: ['2026-01-30'] }),
  Type.Object({ time: Type.String(), tzid: Type.Optional(Type.String()) }, open),
]);

const EventBody = Type.Object(
  {
    event_id: Type.String({ maxLength: EVENT_ID_MAX, description: 'upsert key within the calendar' }),
    summary: Type.String({ maxLength: 1024 }),
    description: Type.Optional(Type.String({ maxLength: 4096 })),
    start: EventTime,
    end: EventTime,
    tzid: Type.Optional(Type.String()),
    location: Type.Optional(
      Type.Object(
        {
          description: Type.Optional(Type.String()),
          lat: Type.Optional(Type.Union([Type.String(), Type.Number()])),
          long: Type.Optional(Type.Union([Type.String(), Type.Number()])),
        },
        open,
      ),
    ),
    url: Type.Optional(Type.String()),
    reminders: Type.Optional(
      Type.Array(Type.Object({ minutes: Type.Integer({ minimum: 0, maximum: 40320 }) })),
    ),
    transparency: Type.Optional(
      Type.Union([Type.Literal('opaque'), Type.Literal('transparent'), Type.Null()]),
    ),
    status: Type.Optional(
      Type.Union([Type.Literal('confirmed'), Type.Literal('tentative'), Type.Literal('cancelled')]),
    ),
    color: Type.Optional(Type.String({ description: '#RRGGBB' })),
    event_private: Type.Optional(Type.Boolean()),
    tags: Type.Optional(Tags),
    attendees: Type.Optional(
      Type.Object(
        {
          invite: Type.Optional(
            Type.Array(Type.Object({ email: Type.String(), display_name: Type.Optional(Type.String()) })),
          ),
          reject: Type.Optional(Type.Array(Type.Object({ email: Type.String() }))),
          remove: Type.Optional(Type.Array(Type.Object({ email: Type.String() }))),
        },
        open,
      ),
    ),
  },
  open,
);

const EventItem = Type.Object({
  calendar_id: Type.String(),
  event_uid: Type.String(),
  event_id: Type.String(),
  summary: Type.String(),
  description: Type.String(),
  start: Type.String({ description: 'UTC time (offset with localized_times) or date (all-day)' }),
  end: Type.String(),
  deleted: Type.Boolean(),
  created: UtcTime,
  updated: UtcTime,
  location: Type.Optional(Type.Object({ description: Type.Optional(Type.String()) }, open)),
  participation_status: Type.Literal('accepted'),
  attendees: Type.Array(Type.Object({ email: Type.String(), status: Type.String() }, open)),
  transparency: Type.Union([Type.Literal('opaque'), Type.Literal('transparent')]),
  status: Type.String(),
  categories: Type.Array(Type.String()),
  recurring: Type.Boolean(),
  event_private: Type.Boolean(),
  tags: Type.Optional(Tags),
  options: Type.Object({
    delete: Type.Boolean(),
    update: Type.Boolean(),
    change_participation_status: Type.Boolean(),
  }),
});

const FreeBusyItem = Type.Object({
  calendar_id: Type.String(),
  start: Type.String(),
  end: Type.String(),
  free_busy_status: Type.Union([Type.Literal('busy'), Type.Literal('tentative')]),
});

const DateOrTimeParam = Type.String({ description: 'YYYY-MM-DD (in tzid) or a UTC time' });
const BooleanParam = Type.Union([Type.Literal('true'), Type.Literal('false')]);
const CalendarIdsParam = Type.Array(Type.String(), { description: 'calendar_ids[]=…, repeated' });

/** How one paged read parses its query and fetches one page (SPEC 7, reference 1.6). */
export type PagedRead<Q> = {
  readonly kind: PageKind;
  readonly itemsKey: string;
  readonly summary: string;
  readonly querystring: TSchema;
  readonly item: TSchema;
  readonly parse: (query: QueryMap, problems: Problems, now: number) => PagedQuery<Q>;
  readonly fetch: (
    caller: AccountCaller,
    parsed: PagedQuery<Q>,
    cursor: PageCursor,
    pageSize: number,
  ) => Promise<{ page: PagedResult<unknown>; items: Json[] }>;
};

/**
 * Registers `GET /v1/{kind}` and its page route `GET /v1/{kind}/pages/{token}`. `next_page` is an
 * absolute URL under PUBLIC_URL. The page route reads only its token: query parameters that
 * clients re-append (the Node SDK does) are ignored. The token is bound to the account: another
 * account's token, or a damaged one, is a 404. The page route is a wildcard because a token that
 * carries many calendar ids can exceed the router's parameter length limit.
 */
export function registerPagedRead<Q>(app: FastifyInstance, deps: HttpDeps, read: PagedRead<Q>): void {
  const path = `/v1/${read.kind}`;
  const response = Type.Object({ pages: Pages, [read.itemsKey]: Type.Array(read.item) });

  const respond = async (caller: AccountCaller, parsed: PagedQuery<Q>, page: number) => {
    const cursor: PageCursor = {
      kind: read.kind,
      accountId: caller.account.id,
      query: parsed.canonical,
      page,
    };
    const result = await read.fetch(caller, parsed, cursor, deps.pageSize);
    const pages: Json = { current: result.page.current, total: result.page.total };
    if (result.page.nextToken !== undefined) {
      pages.next_page = `${deps.ctx.config.publicUrl}${path}/pages/${result.page.nextToken}`;
    }
    return { pages, [read.itemsKey]: result.items };
  };

  app.get(
    path,
    {
      schema: {
        summary: read.summary,
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        querystring: read.querystring,
        response: { 200: response, ...ERRORS },
      },
    },
    async (request) => {
      const caller = await accountCaller(deps, request);
      const problems = new Problems();
      const parsed = read.parse(queryOf(request), problems, deps.ctx.clock.now());
      problems.throwIfAny();
      return respond(caller, parsed, 1);
    },
  );

  app.get(
    `${path}/pages/*`,
    {
      schema: {
        summary: `A later page of GET ${path} (the absolute pages.next_page URL); extra query parameters are ignored`,
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        response: {
          200: response,
          404: { ...ErrorResponse, description: 'unknown page token, or one of another account' },
          ...ERRORS,
        },
      },
    },
    async (request: FastifyRequest) => {
      const caller = await accountCaller(deps, request);
      const token = (request.params as Record<string, string | undefined>)['*'] ?? '';
      const { query, page } = decodePageToken(token, { kind: read.kind, accountId: caller.account.id });
      const problems = new Problems();
      const parsed = read.parse(query, problems, deps.ctx.clock.now());
      if (!problems.isEmpty) {
        throw new DomainError('not_found', 'The page does not exist', {
          problems: [
            { path: 'page', code: 'errors.not_found', description: 'the page token is not valid here' },
          ],
        });
      }
      return respond(caller, parsed, page);
    },
  );
}

function calendarIdOf(request: FastifyRequest): string {
  return (request.params as { calendar_id: string }).calendar_id;
}

export function registerEventRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post(
    '/v1/calendars/:calendar_id/events',
    {
      schema: {
        summary: 'Create or update the event with this event_id in the calendar (202, no body)',
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        body: EventBody,
        response: { 202: ACCEPTED, 404: NOT_FOUND, ...ERRORS },
      },
    },
    async (request, reply) => {
      const caller = await accountCaller(deps, request);
      const problems = new Problems();
      const input = readEventUpsert(jsonBody(request), problems);
      problems.throwIfAny();
      await upsertEvent(deps.ctx, caller, calendarIdOf(request), input!);
      return accepted(reply);
    },
  );

  app.delete(
    '/v1/calendars/:calendar_id/events',
    {
      schema: {
        summary: 'Delete the event with this event_id (202; an unknown event_id is accepted too)',
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        body: Type.Object({ event_id: Type.String({ maxLength: EVENT_ID_MAX }) }, open),
        response: { 202: ACCEPTED, 404: NOT_FOUND, ...ERRORS },
      },
    },
    async (request, reply) => {
      const caller = await accountCaller(deps, request);
      const problems = new Problems();
      const eventId = readEventDelete(jsonBody(request), problems);
      problems.throwIfAny();
      await deleteEvent(deps.ctx, caller, calendarIdOf(request), eventId!);
      return accepted(reply);
    },
  );

  app.delete(
    '/v1/events',
    {
      schema: {
        summary:
          'Delete every event of the account ({delete_all: true}) or of some calendars; the same fields are read from the query string when the body has neither',
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        body: Type.Object(
          {
            delete_all: Type.Optional(Type.Boolean()),
            calendar_ids: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
          },
          open,
        ),
        response: { 202: ACCEPTED, ...ERRORS },
      },
    },
    async (request, reply) => {
      const caller = await accountCaller(deps, request);
      const problems = new Problems();
      const body = isObject(request.body) ? request.body : {};
      const inBody = !isAbsent(body.delete_all) || !isAbsent(body.calendar_ids);
      const fromQuery = inBody ? undefined : readBulkDeleteQuery(queryOf(request), problems);
      const scope = fromQuery ?? readBulkDelete(jsonBody(request), problems);
      problems.throwIfAny();
      await deleteEvents(deps.ctx, caller, scope!);
      return accepted(reply);
    },
  );

  registerPagedRead(app, deps, {
    kind: 'events',
    itemsKey: 'events',
    summary: "Read the account's events (paged)",
    querystring: Type.Object({
      tzid: Type.String({ description: 'required' }),
      from: Type.Optional(DateOrTimeParam),
      to: Type.Optional(DateOrTimeParam),
      include_deleted: Type.Optional(BooleanParam),
      include_managed: Type.Optional(BooleanParam),
      only_managed: Type.Optional(BooleanParam),
      last_modified: Type.Optional(UtcTime),
      localized_times: Type.Optional(BooleanParam),
      'calendar_ids[]': Type.Optional(CalendarIdsParam),
    }),
    item: EventItem,
    parse: (query, problems) => readEventsQuery(query, problems),
    fetch: async (caller, parsed, cursor, pageSize) => {
      const page = await readEvents(deps.ctx, caller, parsed.query, cursor, pageSize);
      return {
        page,
        items: page.items.map((e) => eventToWire(e, page.calendars.get(e.calendarId), parsed.localizedZone)),
      };
    },
  });

  registerPagedRead(app, deps, {
    kind: 'free_busy',
    itemsKey: 'free_busy',
    summary: "The account's busy periods (paged)",
    querystring: Type.Object({
      tzid: Type.String({ description: 'required' }),
      from: Type.Optional(DateOrTimeParam),
      to: Type.Optional(DateOrTimeParam),
      include_managed: Type.Optional(BooleanParam),
      localized_times: Type.Optional(BooleanParam),
      'calendar_ids[]': Type.Optional(CalendarIdsParam),
    }),
    item: FreeBusyItem,
    parse: readFreeBusyQuery,
    fetch: async (caller, parsed, cursor, pageSize) => {
      const page = await readFreeBusy(deps.ctx, caller, parsed.query, cursor, pageSize);
      return {
        page,
        items: page.items.map((e) =>
          freeBusyToWire(e, page.calendars.get(e.calendarId), parsed.localizedZone),
        ),
      };
    },
  });
}
