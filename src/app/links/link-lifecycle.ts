/**
 * The link lifecycle (SPEC 6.5, 6.6) as one table: which actor may take which action from which
 * status, and where it leads. The page, the API and the use cases ask here; nothing else decides
 * what a status allows. Statuses `expired` (an open link after its last query period) and a lapsed
 * invitee reschedule (back to `completed` once the invitee cutoff passes) are moves made by time:
 * they are computed when the link is read (`statusAt`), never written.
 */
import type { LinkStatus, RescheduleActor } from '../../ports/store.ts';

export type LinkStatusName = 'open' | 'completed' | 'disabled' | 'expired' | 'rescheduling' | 'cancelled';

/** Who moves a link: the application through /v1 (or the CLI), the invitee through the page, time. */
export type Actor = 'application' | 'invitee' | 'time';

export type LinkAction =
  /** Book a time: the first booking of an open link, or the new choice of a rescheduling one. */
  | 'book'
  /** Hold a time while the invitee confirms (confirm mode). */
  | 'choose'
  /** "None of these times work" (SPEC 6.2): before the first booking only. */
  | 'report_none'
  | 'disable'
  | 'reschedule'
  | 'cancel'
  /** After the end of the last query period. */
  | 'expire'
  /** An invitee's reschedule whose cutoff passed: the old booking stays in force. */
  | 'lapse';

type Row = {
  readonly action: LinkAction;
  readonly actors: readonly Actor[];
  readonly from: readonly LinkStatusName[];
  /** The status after the action; `same` keeps the status it was taken from. */
  readonly to: LinkStatusName | 'same';
};

/**
 * The whole lifecycle. Repeating a finished disable or cancel is harmless (SPEC 6.5, 6.6): those
 * rows list the target status among their `from` and the use case answers without writing.
 * Invitee rows are further bound by the link's `invitee_actions` and the cutoff (`inviteeMay`).
 */
export const LIFECYCLE: readonly Row[] = [
  { action: 'choose', actors: ['invitee'], from: ['open', 'rescheduling'], to: 'same' },
  { action: 'report_none', actors: ['invitee'], from: ['open'], to: 'same' },
  { action: 'book', actors: ['invitee'], from: ['open', 'rescheduling'], to: 'completed' },
  { action: 'disable', actors: ['application'], from: ['open', 'expired', 'disabled'], to: 'disabled' },
  { action: 'reschedule', actors: ['application'], from: ['completed', 'rescheduling'], to: 'rescheduling' },
  { action: 'reschedule', actors: ['invitee'], from: ['completed'], to: 'rescheduling' },
  {
    action: 'cancel',
    actors: ['application'],
    from: ['completed', 'rescheduling', 'cancelled'],
    to: 'cancelled',
  },
  { action: 'cancel', actors: ['invitee'], from: ['completed', 'rescheduling'], to: 'cancelled' },
  { action: 'expire', actors: ['time'], from: ['open'], to: 'expired' },
  { action: 'lapse', actors: ['time'], from: ['rescheduling'], to: 'completed' },
];

function rowOf(action: LinkAction, actor: Actor): Row | undefined {
  return LIFECYCLE.find((row) => row.action === action && row.actors.includes(actor));
}

/** Whether `actor` may take `action` from `status`, by the table alone. */
export function allows(status: LinkStatusName, action: LinkAction, actor: Actor): boolean {
  return rowOf(action, actor)?.from.includes(status) ?? false;
}

/** Where `action` leads from `status` (the table's `to`). */
export function target(status: LinkStatusName, action: LinkAction, actor: Actor): LinkStatusName {
  const to = rowOf(action, actor)?.to ?? 'same';
  return to === 'same' ? status : to;
}

/** The stored statuses `action` may start from (the condition of the repository's update). */
export function storedFrom(action: LinkAction, actor: Actor): LinkStatus[] {
  const from = rowOf(action, actor)?.from ?? [];
  return from.filter((s): s is LinkStatus => s !== 'expired');
}

/** Whether the page offers times in this status (open, or a reschedule's new choice). */
export function offersTimes(status: LinkStatusName): boolean {
  return allows(status, 'choose', 'invitee');
}

/** What the lifecycle needs of a link: its stored state and the facts time moves it by. */
export type LifecycleFacts = {
  readonly status: LinkStatus;
  readonly expiresAt: number;
  readonly rescheduleBy: RescheduleActor | null;
  /** The first booked step's start; null when nothing is booked. */
  readonly firstBookedStart: number | null;
  readonly inviteeActionCutoffMinutes: number;
};

/** When the invitee may no longer act: the cutoff before the first booked step (SPEC 6.6). */
export function cutoffAt(facts: LifecycleFacts): number | null {
  if (facts.firstBookedStart === null) return null;
  return facts.firstBookedStart - facts.inviteeActionCutoffMinutes * 60_000;
}

/** The status now: the stored one, moved by time (expire, lapse) where the table says so. */
export function statusAt(facts: LifecycleFacts, now: number): LinkStatusName {
  const stored: LinkStatusName = facts.status;
  if (allows(stored, 'expire', 'time') && now >= facts.expiresAt) return target(stored, 'expire', 'time');
  if (allows(stored, 'lapse', 'time') && lapsed(facts, now)) return target(stored, 'lapse', 'time');
  return stored;
}

/**
 * Whether a rescheduling link has gone back to its booking by time: an invitee's reschedule once the
 * cutoff passes; an application's once its query periods end (no new time can be offered then).
 */
function lapsed(facts: LifecycleFacts, now: number): boolean {
  if (facts.rescheduleBy === 'invitee') {
    const at = cutoffAt(facts);
    return at !== null && now >= at;
  }
  return now >= facts.expiresAt;
}

export type InviteeAction = 'reschedule' | 'cancel';

export type InviteeVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: 'not_allowed' | 'not_booked' | 'cutoff' };

/**
 * Whether the invitee may reschedule or cancel now (SPEC 6.6): the link allows the action, the
 * table allows it from the status now, and the first booked step starts more than the cutoff from now.
 */
export function inviteeMay(
  facts: LifecycleFacts,
  allowedByLink: boolean,
  action: InviteeAction,
  now: number,
): InviteeVerdict {
  if (!allowedByLink) return { allowed: false, reason: 'not_allowed' };
  if (!allows(statusAt(facts, now), action, 'invitee') || facts.firstBookedStart === null) {
    return { allowed: false, reason: 'not_booked' };
  }
  const at = cutoffAt(facts);
  if (at !== null && now >= at) return { allowed: false, reason: 'cutoff' };
  return { allowed: true };
}
