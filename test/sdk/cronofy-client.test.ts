/**
 * Drives the official `cronofy` npm client (3.8.4) against a real rtseq server over a socket: the
 * wire compatibility that matters is what this client actually sends and expects.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.ts';

type Options = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: the SDK is untyped JavaScript
type Reply = Promise<any>;
type CronofyClient = {
  config: Options;
  urls: { api: string };
  applicationCalendar(options: Options): Reply;
  listCalendars(options?: Options): Reply;
  createCalendar(options: Options): Reply;
  createEvent(options: Options): Reply;
  deleteEvent(options: Options): Reply;
  bulkDeleteEvents(options: Options): Reply;
  readEvents(options: Options): Reply;
  freeBusy(options: Options): Reply;
  upsertAvailabilityRule(options: Options): Reply;
  readAvailabilityRule(options: Options): Reply;
  listAvailabilityRules(options?: Options): Reply;
  deleteAvailabilityRule(options: Options): Reply;
  upsertAvailablePeriod(options: Options): Reply;
  listAvailablePeriods(options?: Options): Reply;
  deleteAvailablePeriods(options: Options): Reply;
  availability(options: Options): Reply;
  sequencedAvailability(options: Options): Reply;
};
type CronofyConstructor = new (config: Options) => CronofyClient;

const Cronofy = createRequire(import.meta.url)('cronofy') as CronofyConstructor;

describe('the official cronofy Node client against rtseq', () => {
  let server: TestServer;
  let client: CronofyClient;
  let sub: string;
  let profileId: string;
  let calendarId: string;

  const connect = (config: Options): CronofyClient => {
    const sdk = new Cronofy({ data_center: 'us', ...config });
    sdk.urls.api = server.url;
    return sdk;
  };

  before(async () => {
    server = await startTestServer({ pageSize: 2 });
    client = connect({ client_id: server.clientId, client_secret: server.clientSecret });
  });
  after(() => server.close());

  it('applicationCalendar creates the account and keeps its access token', async () => {
    const response = await client.applicationCalendar({ application_calendar_id: 'sdk-room-1' });
    assert.equal(response.token_type, 'bearer');
    assert.equal(response.scope, 'read_write');
    assert.equal(response.application_calendar_id, 'sdk-room-1');
    assert.match(response.sub, /^acc_/);
    assert.equal(response.linking_profile.provider_name, 'cronofy');
    assert.equal(client.config.access_token, response.access_token);
    sub = response.sub;
    profileId = response.linking_profile.profile_id;
  });

  it('listCalendars and createCalendar', async () => {
    const list = await client.listCalendars();
    assert.equal(list.calendars.length, 1);
    const [primary] = list.calendars;
    assert.equal(primary.provider_name, 'cronofy');
    assert.equal(primary.profile_id, profileId);
    assert.equal(primary.calendar_primary, true);
    assert.equal(primary.permission_level, 'unrestricted');
    calendarId = primary.calendar_id;

    const created = await client.createCalendar({
      profile_id: profileId,
      name: 'Interviews',
      color: '#49BED8',
    });
    assert.equal(created.calendar.calendar_name, 'Interviews');
    assert.equal(created.calendar.calendar_readonly, false);
    await assert.rejects(
      client.createCalendar({ profile_id: profileId, name: 'Interviews' }),
      (error: Error) => {
        const failure = error as Error & { statusCode: number; error: { entity: Options } };
        assert.equal(failure.statusCode, 422);
        assert.deepEqual(failure.error.entity, {
          errors: {
            name: [
              {
                key: 'errors.duplicate_calendar_name',
                description: 'a calendar with this name already exists',
              },
            ],
          },
        });
        return true;
      },
    );
  });

  it('createEvent (upsert), readEvents through next_page, deleteEvent', async () => {
    for (let i = 0; i < 5; i++) {
      const result = await client.createEvent({
        calendar_id: calendarId,
        event_id: `sdk-${i}`,
        summary: `Meeting ${i}`,
        description: 'From the SDK',
        start: `2026-03-0${3 + i}T09:00:00Z`,
        end: `2026-03-0${3 + i}T10:00:00Z`,
        tzid: 'Europe/London',
        location: { description: 'Room 1' },
      });
      assert.equal(result, '');
    }
    await client.createEvent({
      calendar_id: calendarId,
      event_id: 'sdk-allday',
      summary: 'Away',
      start: { time: '2026-03-20', tzid: 'Europe/London' },
      end: { time: '2026-03-21', tzid: 'Europe/London' },
    });

    const options = { tzid: 'Etc/UTC', from: '2026-03-01', to: '2026-04-01', include_managed: true };
    const seen: string[] = [];
    let page = await client.readEvents(options);
    assert.deepEqual(page.pages, { current: 1, total: 3, next_page: page.pages.next_page });
    assert.ok(page.pages.next_page.startsWith(`${server.url}/v1/events/pages/`));
    for (;;) {
      for (const event of page.events) {
        assert.equal(event.calendar_id, calendarId);
        assert.equal(event.participation_status, 'accepted');
        assert.deepEqual(event.options, { delete: true, update: true, change_participation_status: false });
        seen.push(`${event.event_id} ${event.start} ${event.end}`);
      }
      if (page.pages.next_page === undefined) break;
      // The SDK re-appends the other options to the absolute next_page URL.
      page = await client.readEvents({ ...options, next_page: page.pages.next_page });
    }
    assert.deepEqual(seen, [
      'sdk-0 2026-03-03T09:00:00Z 2026-03-03T10:00:00Z',
      'sdk-1 2026-03-04T09:00:00Z 2026-03-04T10:00:00Z',
      'sdk-2 2026-03-05T09:00:00Z 2026-03-05T10:00:00Z',
      'sdk-3 2026-03-06T09:00:00Z 2026-03-06T10:00:00Z',
      'sdk-4 2026-03-07T09:00:00Z 2026-03-07T10:00:00Z',
      'sdk-allday 2026-03-20 2026-03-21',
    ]);

    assert.equal(await client.deleteEvent({ calendar_id: calendarId, event_id: 'sdk-4' }), '');
    const after = await client.readEvents({ tzid: 'Etc/UTC', from: '2026-03-07', to: '2026-03-08' });
    assert.deepEqual(after.events, []);
  });

  it('freeBusy, then bulkDeleteEvents', async () => {
    const result = await client.freeBusy({ tzid: 'Etc/UTC', from: '2026-03-03', to: '2026-03-05' });
    assert.deepEqual(result, {
      pages: { current: 1, total: 1 },
      free_busy: [
        {
          calendar_id: calendarId,
          start: '2026-03-03T09:00:00Z',
          end: '2026-03-03T10:00:00Z',
          free_busy_status: 'busy',
        },
        {
          calendar_id: calendarId,
          start: '2026-03-04T09:00:00Z',
          end: '2026-03-04T10:00:00Z',
          free_busy_status: 'busy',
        },
      ],
    });
    const calendars = await client.listCalendars();
    const interviews = calendars.calendars.find(
      (c: { calendar_name: string }) => c.calendar_name === 'Interviews',
    );
    assert.equal(await client.bulkDeleteEvents({ calendar_ids: [interviews.calendar_id] }), '');
  });

  it('availability rules: upsert, read, list, delete', async () => {
    const rule = {
      availability_rule_id: 'default',
      tzid: 'America/Chicago',
      calendar_ids: [calendarId],
      weekly_periods: [
        { day: 'monday', start_time: '09:30', end_time: '12:30' },
        { day: 'wednesday', start_time: '09:30', end_time: '12:30' },
      ],
    };
    assert.deepEqual(await client.upsertAvailabilityRule(rule), { availability_rule: rule });
    assert.deepEqual(await client.readAvailabilityRule({ availability_rule_id: 'default' }), {
      availability_rule: rule,
    });
    assert.deepEqual(await client.listAvailabilityRules(), { availability_rules: [rule] });
    assert.equal(await client.deleteAvailabilityRule({ availability_rule_id: 'default' }), '');
    assert.deepEqual(await client.listAvailabilityRules(), { availability_rules: [] });
    await assert.rejects(client.readAvailabilityRule({ availability_rule_id: 'default' }), (error: Error) => {
      assert.equal((error as Error & { statusCode: number }).statusCode, 404);
      return true;
    });
  });

  it('available periods: upsert, list (paged), delete', async () => {
    for (let i = 1; i <= 3; i++) {
      const result = await client.upsertAvailablePeriod({
        available_period_id: `ap-${i}`,
        start: `2026-03-1${i}T09:00:00Z`,
        end: `2026-03-1${i}T17:00:00Z`,
      });
      assert.equal(result, '');
    }
    const first = await client.listAvailablePeriods({
      tzid: 'Etc/UTC',
      from: '2026-03-01',
      to: '2026-04-01',
    });
    assert.equal(first.pages.total, 2);
    const second = await client.listAvailablePeriods({ next_page: first.pages.next_page, tzid: 'Etc/UTC' });
    assert.deepEqual(
      [...first.available_periods, ...second.available_periods].map(
        (p: { available_period_id: string }) => p.available_period_id,
      ),
      ['ap-1', 'ap-2', 'ap-3'],
    );
    assert.deepEqual(second.available_periods[0], {
      available_period_id: 'ap-3',
      start: '2026-03-13T09:00:00Z',
      end: '2026-03-13T17:00:00Z',
    });
    assert.equal(await client.deleteAvailablePeriods({ available_period_id: 'ap-3' }), '');
    const left = await client.listAvailablePeriods();
    assert.equal(left.available_periods.length, 2);
  });

  it('availability and sequencedAvailability, with the access token and with the client secret', async () => {
    const query = {
      participants: [{ members: [{ sub }], required: 'all' }],
      required_duration: { minutes: 60 },
      available_periods: [{ start: '2026-03-03T08:00:00Z', end: '2026-03-03T12:00:00Z' }],
    };
    const byToken = await client.availability(query);
    assert.deepEqual(byToken.available_periods, [
      { start: '2026-03-03T08:00:00Z', end: '2026-03-03T09:00:00Z', participants: [{ sub }] },
      { start: '2026-03-03T10:00:00Z', end: '2026-03-03T12:00:00Z', participants: [{ sub }] },
    ]);
    const application = connect({ access_token: server.clientSecret });
    assert.deepEqual(await application.availability(query), byToken);

    const sequenced = await application.sequencedAvailability({
      sequence: [
        {
          sequence_id: 'first',
          ordinal: 1,
          participants: [{ members: [{ sub }], required: 'all' }],
          required_duration: { minutes: 60 },
        },
        {
          sequence_id: 2,
          ordinal: 2,
          participants: [{ members: [{ sub }], required: 'all' }],
          required_duration: { minutes: 30 },
        },
      ],
      available_periods: [{ start: '2026-03-03T08:00:00Z', end: '2026-03-03T12:00:00Z' }],
    });
    assert.ok(sequenced.sequences.length > 0);
    const [option] = sequenced.sequences;
    assert.deepEqual(
      option.sequence.map((s: { sequence_id: unknown }) => s.sequence_id),
      ['first', 2],
    );
    assert.deepEqual(option.sequence[0].participants, [{ sub }]);
  });
});
