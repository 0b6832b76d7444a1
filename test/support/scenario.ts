/**
 * A ready Real-Time Sequencing scenario over the app layer: an application, a recruiter and an
 * engineer with native calendars, and a two-step link (pre-screen then face-to-face).
 */
import { createApplicationCalendar } from '../../src/app/accounts/accounts.ts';
import { createApplication } from '../../src/app/accounts/applications.ts';
import { bookOption, viewLink } from '../../src/app/booking/booking.ts';
import type { AppContext } from '../../src/app/context.ts';
import { createLink, loadLinkForPage } from '../../src/app/links/links.ts';
import type { SequenceOption } from '../../src/domain/engine/types.ts';
import { Problems } from '../../src/domain/errors.ts';
import { readLinkRequest } from '../../src/http/wire/links.ts';
import type { ApplicationRecord } from '../../src/ports/store.ts';

export type Person = { sub: string; calendarId: string; accessToken: string };

export type Scenario = {
  application: ApplicationRecord;
  clientId: string;
  clientSecret: string;
  recruiter: Person;
  engineer: Person;
};

export async function seedScenario(ctx: AppContext): Promise<Scenario> {
  const created = await createApplication(ctx, 'Test application');
  const application = (await ctx.store.read((r) => r.applications.byId(created.applicationId)))!;
  const person = async (id: string): Promise<Person> => {
    const result = await createApplicationCalendar(ctx, application, id);
    return { sub: result.account.id, calendarId: result.calendar.id, accessToken: result.accessToken };
  };
  return {
    application,
    clientId: created.clientId,
    clientSecret: created.clientSecret,
    recruiter: await person('recruiter'),
    engineer: await person('engineer'),
  };
}

/** The wire body of a two-step link on 2026-01-06 09:00–17:00 UTC; `overrides` are merged at top level. */
export function twoStepLinkBody(
  s: Scenario,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    oauth: { redirect_uri: 'https://app.example/done', state: 'abc' },
    event: {
      event_id: 'interview-1',
      summary: 'Interview at Globex',
      tzid: 'Europe/London',
      description: 'Two steps',
    },
    availability: {
      sequence: [
        {
          sequence_id: 'pre',
          ordinal: 1,
          participants: [{ members: [{ sub: s.recruiter.sub }], required: 'all' }],
          event: { event_id: 'interview-1-pre', summary: 'Pre screen' },
          required_duration: { minutes: 60 },
        },
        {
          sequence_id: 42,
          ordinal: 2,
          participants: [{ members: [{ sub: s.engineer.sub }] }],
          event: { event_id: 'interview-1-f2f', summary: 'Face to face' },
          required_duration: { minutes: 60 },
        },
      ],
      query_periods: [{ start: '2026-01-06T09:00:00Z', end: '2026-01-06T17:00:00Z' }],
    },
    target_calendars: [
      { sub: s.recruiter.sub, calendar_id: s.recruiter.calendarId },
      { sub: s.engineer.sub, calendar_id: s.engineer.calendarId },
    ],
    tzid: 'Europe/London',
    ...overrides,
  };
}

/** Creates a link through the same reader and use case as the API; returns its id and token. */
export async function createTestLink(
  ctx: AppContext,
  s: Scenario,
  body: Record<string, unknown>,
  kind: 'sequencing' | 'scheduling' = 'sequencing',
): Promise<{ id: string; token: string; url: string }> {
  const problems = new Problems();
  const parsed = readLinkRequest(kind, body, problems, ctx.config.limits, ctx.clock.now());
  problems.throwIfAny();
  const { link, url } = await createLink(ctx, s.application, parsed.request, problems, parsed.paths);
  return { id: link.id, token: url.slice(url.lastIndexOf('/') + 1), url };
}

/** Opens the link as the page would and books its first offered option; returns that option. */
export async function bookFirstOption(ctx: AppContext, token: string): Promise<SequenceOption> {
  const page = await viewLink(ctx, token);
  if (page?.kind !== 'open' || page.options.length === 0)
    throw new Error(`expected an open link with times, got ${page?.kind}`);
  const option = page.options[0]!;
  const outcome = await bookOption(
    ctx,
    (await loadLinkForPage(ctx, token))!,
    option.steps.map((s) => ({ index: s.index, start: s.start })),
    null,
  );
  if (outcome?.kind !== 'booked') throw new Error(`expected a booking, got ${outcome?.kind}`);
  return option;
}
