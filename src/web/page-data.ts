/**
 * What the booking page shows of a link, read from its request and booked option: the event, the
 * steps in order, the itinerary and its .ics download.
 */
import type { BookedOption, Link, LinkRequest } from '../app/link-model.ts';
import { stepSummary } from '../app/link-model.ts';
import { serializeEvents } from '../domain/icalendar/serialize.ts';
import type { EventInfo, ItineraryStep, StepSummary } from './templates.ts';

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

export function itinerarySteps(option: BookedOption): ItineraryStep[] {
  return option.steps.map((s) => ({ summary: s.summary, start: s.start, end: s.end }));
}

/** One VEVENT per step, with UIDs stable across downloads: `{link id}-{sequence_id}@rtseq`. */
export function itineraryIcs(link: Link, booked: BookedOption): string {
  const { request } = link;
  const tzid = request.sequence.tzid ?? undefined;
  return serializeEvents(
    booked.steps.map((step) => {
      const own = request.sequence.steps[step.index]?.event ?? {};
      const description = text(own.description) ?? text(request.event.description);
      const location = locationOf(own.location) ?? locationOf(request.event.location);
      return {
        uid: `${link.id}-${String(step.sequenceId)}@rtseq`,
        summary: step.summary,
        start: step.start,
        end: step.end,
        ...(tzid === undefined ? {} : { tzid }),
        ...(description === null ? {} : { description }),
        ...(location === null ? {} : { location }),
      };
    }),
    { prodId: '-//rtseq//booking page//EN', method: 'PUBLISH', dtstamp: link.completedAt ?? link.createdAt },
  );
}
