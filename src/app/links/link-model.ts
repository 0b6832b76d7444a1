/**
 * A link as the use cases see it: the stored record with its creation request and booked option
 * decoded once, where it is read. The stored form is a format of its own (stored-link.ts); this
 * module maps between it and the types the use cases work with.
 */
import type { LinkKind, LinkRecord } from '../../ports/store.ts';
import type { SequenceRequest, StepRequest } from '../availability/availability.ts';
import type { GroupRequest } from '../availability/participants.ts';
import {
  cutoffAt,
  type InviteeAction,
  type InviteeVerdict,
  type LifecycleFacts,
  type LinkStatusName,
  inviteeMay as lifecycleInviteeMay,
  statusAt,
} from './link-lifecycle.ts';
import {
  DEFAULT_INVITEE_ACTION_CUTOFF_MINUTES,
  LINK_FORMAT,
  readStoredBooked,
  readStoredRequest,
  type StoredBooked,
  type StoredRequest,
  type StoredStep,
} from './stored-link.ts';

export type { InviteeAction, LinkStatusName };
export { DEFAULT_INVITEE_ACTION_CUTOFF_MINUTES, LINK_FORMAT };

export type TargetCalendar = { readonly sub: string; readonly calendarId: string };

export type LinkRequest = {
  readonly kind: LinkKind;
  readonly redirectUri: string;
  readonly state: string | null;
  /** The top-level event template as sent (without start/end). */
  readonly event: Readonly<Record<string, unknown>>;
  readonly sequence: SequenceRequest;
  readonly targetCalendars: readonly TargetCalendar[];
  readonly completedCallbackUrl: string | null;
  readonly noTimesSuitableUrl: string | null;
  readonly redirectCompletedUrl: string | null;
  readonly selectionMode: 'no_confirm' | 'confirm';
  /** `formatting.hour_format`; null when not given (the page follows the invitee's locale). */
  readonly hourFormat: 'h' | 'H' | null;
  /** rtseq extension: the page's language (a BCP 47 tag), null for the browser's. */
  readonly locale: string | null;
  /** rtseq extension: who the invitee can contact, shown on every page of the link. */
  readonly organizer: LinkOrganizer | null;
  /** What the invitee may do after booking, through the link's own page (SPEC 6.6). */
  readonly inviteeActions: InviteeActions;
  /** No invitee action closer than this to the first booked step's start. */
  readonly inviteeActionCutoffMinutes: number;
};

export type LinkOrganizer = { readonly name: string | null; readonly email: string | null };

export type InviteeActions = { readonly reschedule: boolean; readonly cancel: boolean };

/** One booked step, as recorded on the link and reported in status and callbacks. */
export type BookedStep = {
  readonly index: number;
  readonly sequenceId: string | number;
  readonly start: number;
  readonly end: number;
  readonly participants: readonly string[];
  readonly eventId: string;
  readonly summary: string;
};

export type BookedOption = { readonly steps: readonly BookedStep[] };

/** A link with its request and booked option decoded. */
export type Link = Omit<LinkRecord, 'request' | 'booked'> & {
  readonly request: LinkRequest;
  readonly booked: BookedOption | null;
};

/** The error key that names a link's status when that status does not allow a change. */
export const STATUS_ERROR_KEYS: Readonly<Record<LinkStatusName, string>> = {
  open: 'errors.link_open',
  completed: 'errors.link_completed',
  disabled: 'errors.link_disabled',
  expired: 'errors.link_expired',
  rescheduling: 'errors.link_rescheduling',
  cancelled: 'errors.link_cancelled',
};

/** The event id a step's events are written with: the step's own, else the template's. */
export function stepEventId(request: LinkRequest, index: number): string {
  const own = request.sequence.steps[index]?.event?.event_id;
  return typeof own === 'string' && own !== '' ? own : String(request.event.event_id);
}

export function stepSummary(request: LinkRequest, index: number): string {
  const own = request.sequence.steps[index]?.event?.summary;
  return typeof own === 'string' && own !== '' ? own : String(request.event.summary);
}

/** The error path of a step as the creation request named it (problems found when it is used). */
function stepPath(kind: LinkKind, index: number): string {
  return kind === 'scheduling' ? 'availability' : `availability.sequence[${index}]`;
}

function stepFromStored(kind: LinkKind, step: StoredStep, index: number): StepRequest {
  const path = stepPath(kind, index);
  const groups = step.groups.map((group, g): GroupRequest => {
    const groupPath = `${path}.participants[${g}]`;
    return {
      path: groupPath,
      required: group.required,
      members: group.members.map((m, k) => ({
        sub: m.sub,
        path: `${groupPath}.members[${k}]`,
        calendarIds: m.calendarIds,
        availablePeriods: m.availablePeriods,
        managedAvailability: m.managedAvailability,
        availabilityRuleIds: m.availabilityRuleIds,
        ...(m.availabilityConstraints === null ? {} : { availabilityConstraints: m.availabilityConstraints }),
      })),
    };
  });
  return {
    path,
    sequenceId: step.sequenceId,
    ordinal: step.ordinal,
    groups,
    durationMinutes: step.durationMinutes,
    startIntervalMinutes: step.startIntervalMinutes,
    before: step.before,
    after: step.after,
    stepPeriods: step.stepPeriods,
    event: step.event,
  };
}

function requestFromStored(stored: StoredRequest): LinkRequest {
  const { sequence } = stored;
  return {
    ...stored,
    sequence: {
      steps: sequence.steps.map((step, i) => stepFromStored(stored.kind, step, i)),
      queryPeriods: sequence.queryPeriods,
      tzid: sequence.tzid,
      minimumNoticeMinutes: sequence.minimumNoticeMinutes,
      maxResults: sequence.maxResults,
    },
  };
}

/** Decodes a stored link; a row this version cannot read is an error naming the field. */
export function decodeLink(record: LinkRecord): Link {
  const request = requestFromStored(readStoredRequest(record.id, record.kind, record.request));
  const booked = record.booked === null ? null : readStoredBooked(record.id, record.booked);
  return { ...record, request, booked };
}

/** The request in the stored format, field by field: a wire type's new field is not stored by accident. */
export function storedRequest(request: LinkRequest): StoredRequest {
  const { sequence } = request;
  return {
    kind: request.kind,
    redirectUri: request.redirectUri,
    state: request.state,
    event: request.event,
    sequence: {
      steps: sequence.steps.map((step) => ({
        sequenceId: step.sequenceId,
        ordinal: step.ordinal,
        groups: step.groups.map((group) => ({
          required: group.required,
          members: group.members.map((m) => ({
            sub: m.sub,
            calendarIds: m.calendarIds,
            availablePeriods: m.availablePeriods?.map((p) => ({ start: p.start, end: p.end })) ?? null,
            managedAvailability: m.managedAvailability,
            availabilityRuleIds: m.availabilityRuleIds,
            availabilityConstraints:
              m.availabilityConstraints?.map((c) => ({
                limit: c.limit,
                period: c.period,
                tzid: c.tzid,
                tags: c.tags === null ? null : [...c.tags],
              })) ?? null,
          })),
        })),
        durationMinutes: step.durationMinutes,
        startIntervalMinutes: step.startIntervalMinutes,
        before: { minMinutes: step.before.minMinutes, maxMinutes: step.before.maxMinutes },
        after: { minMinutes: step.after.minMinutes, maxMinutes: step.after.maxMinutes },
        stepPeriods: step.stepPeriods?.map((p) => ({ start: p.start, end: p.end })) ?? null,
        event: step.event,
      })),
      queryPeriods: sequence.queryPeriods.map((p) => ({ start: p.start, end: p.end })),
      tzid: sequence.tzid,
      minimumNoticeMinutes: sequence.minimumNoticeMinutes,
      maxResults: sequence.maxResults,
    },
    targetCalendars: request.targetCalendars.map((t) => ({ sub: t.sub, calendarId: t.calendarId })),
    completedCallbackUrl: request.completedCallbackUrl,
    noTimesSuitableUrl: request.noTimesSuitableUrl,
    redirectCompletedUrl: request.redirectCompletedUrl,
    selectionMode: request.selectionMode,
    hourFormat: request.hourFormat,
    locale: request.locale,
    organizer:
      request.organizer === null ? null : { name: request.organizer.name, email: request.organizer.email },
    inviteeActions: { reschedule: request.inviteeActions.reschedule, cancel: request.inviteeActions.cancel },
    inviteeActionCutoffMinutes: request.inviteeActionCutoffMinutes,
  };
}

export function encodeRequest(request: LinkRequest): Record<string, unknown> {
  return { format: LINK_FORMAT, ...storedRequest(request) };
}

export function encodeBooked(booked: BookedOption): Record<string, unknown> {
  const steps: StoredBooked['steps'] = booked.steps.map((s) => ({
    index: s.index,
    sequenceId: s.sequenceId,
    start: s.start,
    end: s.end,
    participants: [...s.participants],
    eventId: s.eventId,
    summary: s.summary,
  }));
  return { format: LINK_FORMAT, steps };
}

/** What the lifecycle table needs to know of a link (link-lifecycle.ts). */
export function lifecycleFacts(link: Link): LifecycleFacts {
  const starts = link.booked?.steps.map((s) => s.start) ?? [];
  return {
    status: link.status,
    expiresAt: link.expiresAt,
    rescheduleBy: link.rescheduleBy,
    firstBookedStart: starts.length === 0 ? null : Math.min(...starts),
    inviteeActionCutoffMinutes: link.request.inviteeActionCutoffMinutes,
  };
}

/** The link's status now (time moves open links to expired and lapsed reschedules back). */
export function statusOf(link: Link, now: number): LinkStatusName {
  return statusAt(lifecycleFacts(link), now);
}

/** Whether the invitee may take the action now (SPEC 6.6; the rules are link-lifecycle.ts's). */
export function inviteeMay(link: Link, action: InviteeAction, now: number): InviteeVerdict {
  return lifecycleInviteeMay(lifecycleFacts(link), link.request.inviteeActions[action], action, now);
}

/** When the invitee may no longer act on the link; null while nothing is booked. */
export function inviteeCutoffAt(link: Link): number | null {
  return cutoffAt(lifecycleFacts(link));
}
