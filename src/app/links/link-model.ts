/**
 * A link as the use cases see it: the stored record with its creation request and booked option
 * decoded once, where it is read. Both are stored as JSON with a format number, so a later change
 * of shape can tell old rows from new ones instead of casting them back blindly.
 */
import type { LinkKind, LinkRecord } from '../../ports/store.ts';
import type { SequenceRequest } from '../availability/availability.ts';

/**
 * The format of `links.request` and `links.booked` written by this version. 2: members may carry
 * `availabilityConstraints` (SPEC 5.1), which a version reading only format 1 would silently drop.
 */
export const LINK_FORMAT = 2;

/** Formats this version reads: format 1 has the same shape, without constraints. */
const READABLE_FORMATS: readonly unknown[] = [1, 2];

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

export const DEFAULT_INVITEE_ACTION_CUTOFF_MINUTES = 24 * 60;

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

export type LinkStatusName = 'open' | 'completed' | 'disabled' | 'expired' | 'rescheduling' | 'cancelled';

/** The error key that names a link's status when that status does not allow a change. */
export const STATUS_ERROR_KEYS: Readonly<Record<LinkStatusName, string>> = {
  open: 'errors.link_open',
  completed: 'errors.link_completed',
  disabled: 'errors.link_disabled',
  expired: 'errors.link_expired',
  rescheduling: 'errors.link_rescheduling',
  cancelled: 'errors.link_cancelled',
};

class StoredLinkError extends Error {
  override name = 'StoredLinkError';
}

function formatOf(linkId: string, stored: Readonly<Record<string, unknown>>, what: string): void {
  // Rows written before the format number existed have the same shape as format 1.
  const format = stored.format ?? 1;
  if (!READABLE_FORMATS.includes(format)) {
    throw new StoredLinkError(
      `link ${linkId}: ${what} has format ${String(format)}, expected ${LINK_FORMAT}`,
    );
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Decodes a stored link; a row this version cannot read is an error, never a silent cast. */
export function decodeLink(record: LinkRecord): Link {
  const request = record.request;
  formatOf(record.id, request, 'request');
  const sequence = request.sequence;
  if (
    request.kind !== record.kind ||
    !isObject(request.event) ||
    !isObject(sequence) ||
    !Array.isArray(sequence.steps) ||
    !Array.isArray(request.targetCalendars)
  ) {
    throw new StoredLinkError(`link ${record.id}: the stored request is not a link request`);
  }
  const { format: _f, ...fields } = request;
  // Links stored before invitee actions existed allow none; before locale and organizer, none.
  const withDefaults = {
    locale: null,
    organizer: null,
    inviteeActions: { reschedule: false, cancel: false },
    inviteeActionCutoffMinutes: DEFAULT_INVITEE_ACTION_CUTOFF_MINUTES,
    ...fields,
  };
  let booked: BookedOption | null = null;
  if (record.booked !== null) {
    formatOf(record.id, record.booked, 'booked option');
    if (!Array.isArray(record.booked.steps)) {
      throw new StoredLinkError(`link ${record.id}: the stored booked option has no steps`);
    }
    booked = { steps: record.booked.steps as BookedStep[] };
  }
  return { ...record, request: withDefaults as unknown as LinkRequest, booked };
}

export function encodeRequest(request: LinkRequest): Record<string, unknown> {
  return { format: LINK_FORMAT, ...request };
}

export function encodeBooked(booked: BookedOption): Record<string, unknown> {
  return { format: LINK_FORMAT, steps: booked.steps };
}

export function statusOf(link: Pick<Link, 'status' | 'expiresAt'>, now: number): LinkStatusName {
  if (link.status === 'open' && now >= link.expiresAt) return 'expired';
  return link.status;
}

/** The event id a step's events are written with: the step's own, else the template's. */
export function stepEventId(request: LinkRequest, index: number): string {
  const own = request.sequence.steps[index]?.event?.event_id;
  return typeof own === 'string' && own !== '' ? own : String(request.event.event_id);
}

export function stepSummary(request: LinkRequest, index: number): string {
  const own = request.sequence.steps[index]?.event?.summary;
  return typeof own === 'string' && own !== '' ? own : String(request.event.summary);
}

export type InviteeAction = 'reschedule' | 'cancel';

/**
 * Whether the invitee may take the action now (SPEC 6.6): the link allows it, the link is booked
 * (cancel also while rescheduling), and the first booked step starts more than the cutoff from now.
 */
export function inviteeMay(
  link: Link,
  action: InviteeAction,
  now: number,
):
  | { allowed: true }
  | { allowed: false; reason: 'not_allowed' | 'not_booked' | 'cutoff'; cutoffAt?: number } {
  if (!link.request.inviteeActions[action]) return { allowed: false, reason: 'not_allowed' };
  const states: readonly string[] = action === 'cancel' ? ['completed', 'rescheduling'] : ['completed'];
  if (!states.includes(link.status) || link.booked === null || link.booked.steps.length === 0) {
    return { allowed: false, reason: 'not_booked' };
  }
  const firstStart = Math.min(...link.booked.steps.map((s) => s.start));
  const cutoffAt = firstStart - link.request.inviteeActionCutoffMinutes * 60_000;
  if (now >= cutoffAt) return { allowed: false, reason: 'cutoff', cutoffAt };
  return { allowed: true };
}
