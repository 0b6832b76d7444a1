/**
 * An option's itinerary (SPEC 6.2): every step's start and end, its day when it is not the first
 * step's, its summary, location and description, the gaps between steps and the total span.
 * Shown before anything is booked (each option on the open page, where it is kept compact: a day
 * of 25 options must stay light), on the confirmation page and after booking.
 */
import { isoInstant } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import type { Translate } from '../i18n/index.ts';
import type { LocalClock } from '../intl.ts';

/** What the page knows of one step besides its times. */
export type StepDetails = {
  readonly summary: string;
  readonly location: string | null;
  readonly description: string | null;
};

export type ItineraryStep = StepDetails & {
  readonly start: number;
  readonly end: number;
  /** A step that keeps its booked time while others move (a one-step reschedule, SPEC 6.6). */
  readonly stays?: boolean;
};

const MINUTE = 60_000;

function timeTag(clock: LocalClock, instant: number, prefix: string, compact: boolean): SafeHtml | string {
  const text = `${prefix}${clock.time(instant)}`;
  return compact ? text : html`<time datetime="${isoInstant(instant)}">${text}</time>`;
}

function when(
  clock: LocalClock,
  t: Translate,
  step: ItineraryStep,
  firstDay: string,
  compact: boolean,
): SafeHtml {
  const startDay = clock.dayKey(step.start);
  const dayMark =
    startDay !== firstDay
      ? html`<strong class="other-day">${t('step_on_day', { day: clock.shortDay(step.start) })}</strong> `
      : '';
  const endPrefix = clock.dayKey(step.end) !== startDay ? `${clock.shortDay(step.end)}, ` : '';
  return html`<span class="when">${dayMark}${timeTag(clock, step.start, '', compact)} – ${timeTag(clock, step.end, endPrefix, compact)}</span>`;
}

/** The steps as an ordered list, gaps marked; then the total span. */
export function itinerary(
  clock: LocalClock,
  t: Translate,
  steps: readonly ItineraryStep[],
  options: { readonly compact?: boolean } = {},
): SafeHtml {
  const compact = options.compact === true;
  const first = steps[0];
  const last = steps[steps.length - 1];
  if (first === undefined || last === undefined) return html``;
  const firstDay = clock.dayKey(first.start);
  const lastDayDiffers = clock.dayKey(last.end) !== firstDay;
  const total = t('total', {
    duration: clock.formats.duration(Math.round((last.end - first.start) / MINUTE)),
    start: clock.time(first.start),
    end: `${lastDayDiffers ? `${clock.shortDay(last.end)}, ` : ''}${clock.time(last.end)}`,
  });
  const where = t('where');
  // Compact (one per option): classes come from the surrounding .detail (see app.css).
  return html`<ol${compact ? '' : html` class="itinerary"`}>${steps.map((step, i) => {
    const previous = steps[i - 1];
    const gapMinutes = previous === undefined ? 0 : Math.round((step.start - previous.end) / MINUTE);
    return html`<li>${gapMinutes > 0 && html`<span class="gap">${t('gap', { duration: clock.formats.duration(gapMinutes) })}</span>`}${when(clock, t, step, firstDay, compact)}<b>${step.summary}</b>${step.stays === true && html`<span class="stays">${t('step_stays')}</span>`}${step.location !== null && html`<span class="loc">${compact ? '' : html`<span class="label">${where}</span> `}${step.location}</span>`}${step.description !== null && html`<span class="desc">${compact ? shorten(step.description) : step.description}</span>`}</li>`;
  })}</ol><p${compact ? '' : html` class="total"`}>${total}</p>`;
}

/** Compact itineraries repeat a step's description per option: long ones are cut (in full above). */
const COMPACT_DESCRIPTION = 160;

function shorten(text: string): string {
  const chars = [...text];
  return chars.length <= COMPACT_DESCRIPTION
    ? text
    : `${chars
        .slice(0, COMPACT_DESCRIPTION - 1)
        .join('')
        .trimEnd()}…`;
}

/** A step's calendar title: "Pre screen — Product Manager Interview at Globex" (SPEC 6.2). */
export function stepTitle(stepSummary: string, eventSummary: string): string {
  return stepSummary === eventSummary || eventSummary === ''
    ? stepSummary
    : `${stepSummary} — ${eventSummary}`;
}

const compactUtc = (instant: number) => isoInstant(instant).replace(/[-:]/g, '');

/** Add-to-calendar links for one step: Google Calendar and Outlook on the web. */
export function calendarLinks(title: string, step: ItineraryStep): { google: string; outlook: string } {
  const google = new URL('https://calendar.google.com/calendar/render');
  google.searchParams.set('action', 'TEMPLATE');
  google.searchParams.set('text', title);
  google.searchParams.set('dates', `${compactUtc(step.start)}/${compactUtc(step.end)}`);
  if (step.description !== null) google.searchParams.set('details', step.description);
  if (step.location !== null) google.searchParams.set('location', step.location);
  const outlook = new URL('https://outlook.live.com/calendar/0/deeplink/compose');
  outlook.searchParams.set('path', '/calendar/action/compose');
  outlook.searchParams.set('rru', 'addevent');
  outlook.searchParams.set('subject', title);
  outlook.searchParams.set('startdt', isoInstant(step.start));
  outlook.searchParams.set('enddt', isoInstant(step.end));
  if (step.description !== null) outlook.searchParams.set('body', step.description);
  if (step.location !== null) outlook.searchParams.set('location', step.location);
  return { google: google.toString(), outlook: outlook.toString() };
}
