/**
 * A realistic interview loop for the booking page's screenshots, weight budget and browser tests:
 * "Product Manager Interview at Globex", a 45-minute phone pre-screen with the recruiter, then a
 * 90-minute face-to-face at the office with one of two engineers, 15 minutes to 20 hours later,
 * over `days` weekdays (08:00–17:00 London) from the day after the server's clock. On the first
 * day the engineers are busy from 11:00, so that day's later options run into the next morning:
 * two-day itineraries.
 */
import { updateDisplaySettings } from '../../src/app/accounts/display-settings.ts';
import { Problems } from '../../src/domain/errors.ts';
import { addBusy, createSequencingLink, iso, type Link, type TestServer } from './fixtures.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const EVENT_SUMMARY = 'Product Manager Interview at Globex';

/** A small square logo as a data URL (no third-party request). */
export const LOGO_DATA_URL = `data:image/svg+xml;base64,${Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#5b21b6"/><path d="M18 44V20h28v6H25v5h17v6H25v7z" fill="#fff"/></svg>',
).toString('base64')}`;

export async function brandApplication(server: TestServer): Promise<void> {
  const application = await server.ctx.store.read((r) => r.applications.byId(server.applicationId));
  if (application === undefined) throw new Error('no application');
  await updateDisplaySettings(
    server.ctx,
    application,
    { displayName: 'Globex Corporation', logoUrl: LOGO_DATA_URL, accentColour: '#5b21b6' },
    new Problems(),
  );
}

export type ShowcaseOptions = {
  readonly days?: number;
  readonly selectionMode?: 'confirm' | 'no_confirm';
  readonly locale?: string;
  readonly hourFormat?: 'h' | 'H';
  /** Minutes between start times (default 30). */
  readonly interval?: number;
  /** Every member busy for the whole window: a link with no times. */
  readonly noTimes?: boolean;
  readonly redirectUri?: string;
  readonly noTimesSuitableUrl?: string;
  readonly organizer?: { name?: string; email?: string } | null;
};

let counter = 0;

/** Weekdays from the day after `now`, as [start, end) of 08:00–17:00 UTC (London in winter). */
export function weekdayPeriods(now: number, days: number): { start: number; end: number }[] {
  const periods: { start: number; end: number }[] = [];
  for (let day = Math.floor(now / DAY) * DAY + DAY; periods.length < days; day += DAY) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    periods.push({ start: day + 8 * HOUR, end: day + 17 * HOUR });
  }
  return periods;
}

export async function showcaseLink(server: TestServer, options: ShowcaseOptions = {}): Promise<Link> {
  counter += 1;
  const recruiter = await server.createAccount(`show-rec-${counter}`);
  const engineers = [
    await server.createAccount(`show-eng-${counter}-a`),
    await server.createAccount(`show-eng-${counter}-b`),
  ];
  const periods = weekdayPeriods(server.clock.now(), options.days ?? 12);
  const first = periods[0]!;
  for (const engineer of engineers)
    await addBusy(server, engineer.calendarId, first.start + 3 * HOUR, first.end);
  if (options.noTimes === true) {
    const last = periods[periods.length - 1]!;
    await addBusy(server, recruiter.calendarId, first.start, last.end);
  }
  return createSequencingLink(server, {
    oauth: { redirect_uri: options.redirectUri ?? 'https://globex.example/careers/thanks', state: 'pm-42' },
    event: { event_id: `pm-${counter}`, summary: EVENT_SUMMARY },
    tzid: 'Europe/London',
    selection_mode: options.selectionMode ?? 'no_confirm',
    ...(options.hourFormat === undefined ? {} : { formatting: { hour_format: options.hourFormat } }),
    ...(options.locale === undefined ? {} : { locale: options.locale }),
    ...(options.organizer === null
      ? {}
      : {
          organizer: options.organizer ?? { name: 'Dana Whitfield', email: 'dana.whitfield@globex.example' },
        }),
    ...(options.noTimesSuitableUrl === undefined
      ? {}
      : { callback_urls: { no_times_suitable_url: options.noTimesSuitableUrl } }),
    target_calendars: [recruiter, ...engineers].map((a) => ({ sub: a.sub, calendar_id: a.calendarId })),
    availability: {
      query_periods: periods.map((p) => ({ start: iso(p.start), end: iso(p.end) })),
      sequence: [
        {
          sequence_id: 'pre-screen',
          ordinal: 1,
          participants: [{ members: [{ sub: recruiter.sub }], required: 'all' }],
          required_duration: { minutes: 45 },
          start_interval: { minutes: options.interval ?? 30 },
          event: {
            event_id: `pm-${counter}-pre`,
            summary: 'Pre screen',
            location: { description: 'Phone call (we will call you)' },
            description: 'A short call with our recruiter about your background and the role.',
          },
        },
        {
          sequence_id: 'face-to-face',
          ordinal: 2,
          participants: [{ members: engineers.map((e) => ({ sub: e.sub })), required: 1 }],
          required_duration: { minutes: 90 },
          start_interval: { minutes: 15 },
          buffer: { before: { minimum: { minutes: 15 }, maximum: { minutes: 20 * 60 } } },
          event: {
            event_id: `pm-${counter}-f2f`,
            summary: 'Face to face',
            location: { description: 'Globex HQ, 1 Market Street, London' },
            description: 'Meet two engineers from the product team. Please bring photo ID for reception.',
          },
        },
      ],
    },
  });
}
