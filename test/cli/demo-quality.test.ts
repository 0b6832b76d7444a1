/**
 * The demo at its best (issue 27 item 5), computed in process on a clock set to a Friday evening:
 * working hours in Europe/London on weekdays, the first offered loop on Monday morning with several
 * same-day loops that day (the face-to-face 15 minutes to two hours after the pre-screen, never the
 * next day), every engineer free for part of her working day, and each step written to its own
 * participant's calendar when booked.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { viewLink } from '../../src/app/booking/booking.ts';
import { DEMO_ZONE, demoInstant, demoWorkdays, prepareDemo } from '../../src/app/demo.ts';
import { createLink } from '../../src/app/links/links.ts';
import { demoLinkBody } from '../../src/cli/demo.ts';
import { Problems } from '../../src/domain/errors.ts';
import { localParts } from '../../src/domain/time/zones.ts';
import { readLinkRequest } from '../../src/http/wire/links.ts';
import { makeTestContext } from '../support/context.ts';
import { bookFirstOption } from '../support/scenario.ts';

const FRIDAY_EVENING = Date.UTC(2026, 2, 6, 19, 0); // Fri 6 Mar 2026, 19:00 in London

test('the demo link offers same-day loops in working hours from the next working day, and books into every calendar', async () => {
  const t = await makeTestContext({ start: FRIDAY_EVENING });
  try {
    const demo = await prepareDemo(t.ctx, 'always');
    assert.ok(demo !== null);
    const [monday] = demoWorkdays(FRIDAY_EVENING, 1);
    assert.deepEqual(monday, { year: 2026, month: 3, day: 9 }, 'the weekend is skipped');

    const body = demoLinkBody(t.ctx.config, demo, FRIDAY_EVENING);
    const targets = (body.target_calendars as { sub: string }[]).map((c) => c.sub).sort();
    assert.deepEqual(targets, [demo.recruiter, ...demo.engineers].map((a) => a.sub).sort());
    const problems = new Problems();
    const parsed = readLinkRequest('sequencing', body, problems, t.ctx.config.limits, FRIDAY_EVENING);
    problems.throwIfAny();
    const application = (await t.ctx.store.read((r) => r.applications.byId(demo.applicationId)))!;
    const { url } = await createLink(t.ctx, application, parsed.request, problems, parsed.paths);
    const token = url.slice(url.lastIndexOf('/') + 1);

    const page = await viewLink(t.ctx, token);
    assert.equal(page?.kind, 'open');
    const options = page.kind === 'open' ? page.options : [];
    assert.ok(options.length > 0);
    const local = (ms: number) => localParts(DEMO_ZONE, ms);
    for (const option of options) {
      const [pre, f2f] = option.steps;
      const start = local(pre!.start);
      assert.ok(start.weekday >= 1 && start.weekday <= 5, 'weekdays only');
      assert.ok(start.hour >= 9 && local(f2f!.end - 1).hour < 17, 'within 09:00–17:00 London');
      const gap = f2f!.start - pre!.end;
      assert.ok(
        gap >= 15 * 60_000 && gap <= 2 * 3_600_000,
        'the face-to-face follows the same morning or afternoon',
      );
    }
    const first = local(options[0]!.steps[0]!.start);
    assert.deepEqual([first.year, first.month, first.day], [2026, 3, 9], 'the first option is on Monday');
    assert.equal(first.hour, 9, 'from the start of the working day');
    const mondayOptions = options.filter((o) => local(o.steps[0]!.start).day === 9);
    assert.ok(mondayOptions.length >= 4, 'several loops on the first day');
    // The recruiter's 10:00–11:00 is skipped: no pre-screen overlaps it.
    const busyStart = demoInstant(monday!, 10);
    assert.ok(
      mondayOptions.every((o) => o.steps[0]!.end <= busyStart || o.steps[0]!.start >= busyStart + 3_600_000),
    );
    // One of three engineers: while the first is busy, another one takes the face-to-face.
    const offered = new Set(mondayOptions.flatMap((o) => o.steps[1]!.participants));
    assert.ok(offered.size >= 2, 'the engineers stand in for each other');

    const booked = await bookFirstOption(t.ctx, token);
    const eventsOf = (calendarId: string) =>
      t.ctx.store.read((r) =>
        r.events.byKey(
          calendarId,
          calendarId === demo.recruiter.calendarId ? 'demo-pre-screen' : 'demo-face-to-face',
        ),
      );
    assert.ok(await eventsOf(demo.recruiter.calendarId), 'the pre-screen is in the recruiter calendar');
    const engineer = demo.engineers.find((e) => e.sub === booked.steps[1]!.participants[0])!;
    const f2f = await eventsOf(engineer.calendarId);
    assert.equal(f2f?.startMs, booked.steps[1]!.start, "the face-to-face is in the engineer's calendar");
  } finally {
    await t.dispose();
  }
});
