/**
 * What the booking page shows of a link, read from its request and booked option: the event, the
 * steps in order, each option's itinerary, and the .ics download.
 */
import { optionKey } from '../app/booking/booking.ts';
import { labelSpan } from '../app/booking/rebooking.ts';
import type { BookedOption, Link, LinkRequest } from '../app/links/link-model.ts';
import { stepSummary } from '../app/links/link-model.ts';
import type { SequenceOption } from '../domain/engine/types.ts';
import { serializeEvents } from '../domain/icalendar/serialize.ts';
import { type ItineraryStep, type StepDetails, stepTitle } from './views/itinerary.ts';
import type { EventInfo, OptionView, StepSummary } from './views/open.ts';

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** Cronofy sends `location` as `{"description": "…"}`; a plain string is accepted too. */
function locationOf(value: unknown): string | null {
  if (typeof value === 'object' && value !== null && 'description' in value) return text(value.description);
  return text(value);
}

export function eventInfo(request: LinkRequest): EventInfo {
  return {
    summary: String(request.event.summary ?? ''),
    description: text(request.event.description),
    location: locationOf(request.event.location),
  };
}

/** The steps as the page lists them: by ordinal (steps sharing one keep the request's order). */
export function stepsInOrder(request: LinkRequest): StepSummary[] {
  return request.sequence.steps
    .map((step, index) => ({ step, index }))
    .sort((a, b) => (a.step.ordinal ?? a.index) - (b.step.ordinal ?? b.index) || a.index - b.index)
    .map(({ step, index }) => ({
      summary: stepSummary(request, index),
      durationMinutes: step.durationMinutes,
    }));
}

/** A step's summary, location and description: its own event's, else the template's. */
export function stepDetails(request: LinkRequest, index: number): StepDetails {
  const own = request.sequence.steps[index]?.event ?? {};
  return {
    summary: stepSummary(request, index),
    location: locationOf(own.location) ?? locationOf(request.event.location),
    description: text(own.description) ?? text(request.event.description),
  };
}

/**
 * The options of the open page, each with its full itinerary (details looked up once per step).
 * While only some steps move (`moving`), each option is labelled by its first moving step and the
 * other steps are marked as staying (SPEC 6.6).
 */
export function optionViews(
  request: LinkRequest,
  options: readonly SequenceOption[],
  moving: readonly number[] | null,
): OptionView[] {
  const details = request.sequence.steps.map((_, index) => stepDetails(request, index));
  return options.map((option) => ({
    key: optionKey(option),
    label: labelSpan(option, moving),
    steps: option.steps.map((s) => ({
      ...details[s.index]!,
      start: s.start,
      end: s.end,
      ...(moving !== null && !moving.includes(s.index) ? { stays: true } : {}),
    })),
  }));
}

export function itinerarySteps(request: LinkRequest, option: BookedOption): ItineraryStep[] {
  return option.steps.map((s) => ({
    ...stepDetails(request, s.index),
    summary: s.summary,
    start: s.start,
    end: s.end,
  }));
}

/**
 * One VEVENT per step, with UIDs stable across downloads (`{link id}-{sequence_id}@rtseq`), each
 * titled "Step — Event" (SPEC 6.2).
 */
export function itineraryIcs(link: Link, booked: BookedOption): string {
  const { request } = link;
  const tzid = request.sequence.tzid ?? undefined;
  const eventSummary = eventInfo(request).summary;
  return serializeEvents(
    itinerarySteps(request, booked).map((step, i) => ({
      uid: `${link.id}-${String(booked.steps[i]!.sequenceId)}@rtseq`,
      summary: stepTitle(step.summary, eventSummary),
      start: step.start,
      end: step.end,
      ...(tzid === undefined ? {} : { tzid }),
      ...(step.description === null ? {} : { description: step.description }),
      ...(step.location === null ? {} : { location: step.location }),
    })),
    { prodId: '-//rtseq//booking page//EN', method: 'PUBLISH', dtstamp: link.completedAt ?? link.createdAt },
  );
}
