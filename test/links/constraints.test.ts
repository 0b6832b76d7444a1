/**
 * Availability constraints and tags on links (SPEC 5.1, 6.3, 7), on SQLite and (in the PostgreSQL
 * run) on PostgreSQL: template tags reach the booked events and the reservations, a constraint is
 * stored with the link and keeps its page honest, and 50 bookings racing over links that share a
 * member with a limit of one a day leave exactly one booked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { bookOption, viewLink } from '../../src/app/booking/booking.ts';
import { loadLinkForPage } from '../../src/app/links/links.ts';
import { makeTestContext, type TestContext } from '../support/context.ts';
import {
  bookFirstOption,
  createTestLink,
  type Scenario,
  seedScenario,
  twoStepLinkBody,
} from '../support/scenario.ts';

const LIMIT = [{ limit: 1, period: 'day', tzid: 'Europe/London' }];

/** A one-step link for the recruiter (limited to one a day) over 10 minutes of 2026-01-06 at `slot`. */
function oneSlotBody(s: Scenario, slot: number): Record<string, unknown> {
  const start = Date.UTC(2026, 0, 6, 9) + slot * 10 * 60_000;
  return twoStepLinkBody(s, {
    event: { event_id: `race-${slot}`, summary: 'Interview' },
    availability: {
      sequence: [
        {
          sequence_id: 'only',
          participants: [{ members: [{ sub: s.recruiter.sub, availability_constraints: LIMIT }] }],
          required_duration: { minutes: 10 },
          start_interval: { minutes: 10 },
        },
      ],
      query_periods: [
        { start: new Date(start).toISOString(), end: new Date(start + 10 * 60_000).toISOString() },
      ],
    },
  });
}

describe('links with availability constraints and tags', () => {
  let t: TestContext;
  before(async () => {
    t = await makeTestContext();
  });
  after(() => t.dispose());

  it('template tags (a step overrides the top level) are written onto the booked events and reservations', async () => {
    const s = await seedScenario(t.ctx);
    const body = twoStepLinkBody(s);
    (body.event as Record<string, unknown>).tags = { private: [{ value: 'interview' }] };
    const steps = (body.availability as { sequence: { event: Record<string, unknown> }[] }).sequence;
    steps[0]!.event.tags = { private: [{ value: 'screen' }, { value: 'screen' }] };
    const link = await createTestLink(t.ctx, s, body);
    await bookFirstOption(t.ctx, link.token);
    const [pre, f2f] = await t.ctx.store.read(async (r) => [
      await r.events.byKey(s.recruiter.calendarId, 'interview-1-pre'),
      await r.events.byKey(s.engineer.calendarId, 'interview-1-f2f'),
    ]);
    assert.deepEqual(pre?.data.tags, { private: [{ value: 'screen' }] });
    assert.deepEqual(f2f?.data.tags, { private: [{ value: 'interview' }] });
    const reservations = await t.ctx.store.read((r) => r.reservations.byLink(link.id));
    assert.deepEqual(reservations.map((r) => r.tags).sort(), [['interview'], ['screen']]);
  });

  it('a Real-Time Scheduling link stores its constraint: an event that day leaves its page without times', async () => {
    const s = await seedScenario(t.ctx);
    const body = {
      oauth: { redirect_uri: 'https://app.example/done' },
      event: { event_id: 'rts-limit', summary: 'Chat', tags: { private: [{ value: 'chat' }] } },
      availability: {
        participants: [
          {
            members: [
              {
                sub: s.recruiter.sub,
                availability_constraints: [
                  { limit: 1, period: 'day', tags: { private: [{ value: 'chat' }] } },
                ],
              },
            ],
          },
        ],
        required_duration: { minutes: 30 },
        query_periods: [{ start: '2026-01-06T09:00:00Z', end: '2026-01-06T12:00:00Z' }],
      },
      target_calendars: [{ sub: s.recruiter.sub, calendar_id: s.recruiter.calendarId }],
    };
    const link = await createTestLink(t.ctx, s, body, 'scheduling');
    const offered = async () => {
      const page = await viewLink(t.ctx, link.token);
      return page?.kind === 'open' ? page.options.length : -1;
    };
    assert.ok((await offered()) > 0);
    const write = (id: string, tag: string) =>
      t.ctx.store.transaction((r) =>
        r.events.upsert({
          calendarId: s.recruiter.calendarId,
          eventId: id,
          eventUid: id,
          summary: id,
          startMs: Date.UTC(2026, 0, 6, 15),
          endMs: Date.UTC(2026, 0, 6, 16),
          allDay: false,
          transparency: 'transparent',
          status: 'confirmed',
          deleted: false,
          data: { tags: { private: [{ value: tag }] } },
          createdAt: t.clock.now(),
          updatedAt: t.clock.now(),
        }),
      );
    await write('other-kind', 'lunch');
    assert.ok((await offered()) > 0, 'an event without the tag does not count');
    await write('a-chat', 'chat');
    assert.equal(await offered(), 0, 'a transparent tagged event counts (load, not busy time)');
  });

  it('50 bookings over links sharing a member limited to one a day: exactly one succeeds', async () => {
    const s = await seedScenario(t.ctx);
    const links = [];
    for (let i = 0; i < 50; i++) links.push(await createTestLink(t.ctx, s, oneSlotBody(s, i)));
    // Every page offers its slot before anything is booked.
    const choices = [];
    for (const link of links) {
      const page = await viewLink(t.ctx, link.token);
      assert.equal(page?.kind, 'open');
      const option = page.kind === 'open' ? page.options[0] : undefined;
      assert.ok(option !== undefined, 'each link offers its slot');
      choices.push({ loaded: (await loadLinkForPage(t.ctx, link.token))!, option });
    }
    const outcomes = await Promise.all(
      choices.map(({ loaded, option }) =>
        bookOption(
          t.ctx,
          loaded,
          option.steps.map((step) => ({ index: step.index, start: step.start })),
          null,
        ),
      ),
    );
    const kinds = outcomes.map((o) => o?.kind);
    assert.equal(kinds.filter((k) => k === 'booked').length, 1, JSON.stringify(kinds));
    assert.equal(kinds.filter((k) => k === 'taken').length, 49);
    const bookings = await t.ctx.store.read((r) =>
      r.reservations.liveIn([s.recruiter.sub], { start: 0, end: Number.MAX_SAFE_INTEGER }, t.clock.now()),
    );
    assert.equal(bookings.length, 1);
    // The constraint is stored with each link: the other pages now offer nothing that day.
    const winner = links[outcomes.findIndex((o) => o?.kind === 'booked')]!;
    const other = links.find((l) => l !== winner)!;
    const page = await viewLink(t.ctx, other.token);
    assert.equal(page?.kind === 'open' ? page.options.length : -1, 0);
  });
});
