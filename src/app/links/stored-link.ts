/**
 * The stored link format: what `links.request` and `links.booked` hold, as a type of its own,
 * separate from the wire reader's types (a change there no longer changes what is stored). Every
 * row is decoded field by field; a row that does not fit is an error naming the field. Formats 1
 * and 2 (the wire types as they were, with their error `path`s; 2 added members' availability
 * constraints; rows from before the format number lack the fields added later) are still read.
 * Changing a shape here without bumping LINK_FORMAT fails stored-link.test.ts.
 */
import type { LinkKind } from '../../ports/store.ts';
import {
  bool,
  defaulted,
  jsonObject,
  list,
  nullable,
  num,
  type ObjectOf,
  object,
  oneOf,
  type Read,
  str,
  strOrNum,
} from './stored-shape.ts';

/** The format of `links.request` and `links.booked` written by this version. */
export const LINK_FORMAT = 3;

export const DEFAULT_INVITEE_ACTION_CUTOFF_MINUTES = 24 * 60;

const period = object({ start: num, end: num });
const constraint = object({
  limit: num,
  period: oneOf('day', 'week', 'month'),
  tzid: str,
  tags: nullable(list(str)),
});
const memberFields = {
  sub: str,
  calendarIds: nullable(list(str)),
  availablePeriods: nullable(list(period)),
  managedAvailability: bool,
  availabilityRuleIds: nullable(list(str)),
};
const member = object({ ...memberFields, availabilityConstraints: nullable(list(constraint)) });
const group = object({ members: list(member), required: nullable(num) });
const gap = object({ minMinutes: num, maxMinutes: nullable(num) });
const step = object({
  sequenceId: strOrNum,
  ordinal: nullable(num),
  groups: list(group),
  durationMinutes: num,
  startIntervalMinutes: nullable(num),
  before: gap,
  after: gap,
  stepPeriods: nullable(list(period)),
  event: nullable(jsonObject),
});
const sequenceFields = {
  queryPeriods: list(period),
  tzid: nullable(str),
  minimumNoticeMinutes: num,
  maxResults: num,
};
const sequence = object({ steps: list(step), ...sequenceFields });

/** Formats 1 and 2 differ from 3 in members only: constraints absent (1) or optional (2). */
const legacyMember = object({
  ...memberFields,
  availabilityConstraints: defaulted(nullable(list(constraint)), null),
});
const legacySequence = object({
  steps: list(
    object({
      ...step.fields,
      groups: list(object({ members: list(legacyMember), required: nullable(num) })),
    }),
  ),
  ...sequenceFields,
});

/** Fields every format has; format 1 rows written before the later fields get their defaults. */
const requestFields = {
  kind: oneOf('sequencing', 'scheduling'),
  redirectUri: str,
  state: nullable(str),
  event: jsonObject,
  targetCalendars: list(object({ sub: str, calendarId: str })),
  completedCallbackUrl: nullable(str),
  noTimesSuitableUrl: nullable(str),
  redirectCompletedUrl: nullable(str),
  selectionMode: oneOf('no_confirm', 'confirm'),
};

const later = {
  hourFormat: nullable(oneOf('h', 'H')),
  locale: nullable(str),
  organizer: nullable(object({ name: nullable(str), email: nullable(str) })),
  inviteeActions: object({ reschedule: bool, cancel: bool }),
  inviteeActionCutoffMinutes: num,
};

/** Format 3: the creation request as stored. */
export const STORED_REQUEST = object({ ...requestFields, sequence, ...later });

/** Formats 1 and 2 (and rows from before the format number): the later fields defaulted. */
const REQUEST_LEGACY = object({
  ...requestFields,
  sequence: legacySequence,
  hourFormat: defaulted(later.hourFormat, null),
  locale: defaulted(later.locale, null),
  organizer: defaulted(later.organizer, null),
  inviteeActions: defaulted(later.inviteeActions, { reschedule: false, cancel: false }),
  inviteeActionCutoffMinutes: defaulted(
    later.inviteeActionCutoffMinutes,
    DEFAULT_INVITEE_ACTION_CUTOFF_MINUTES,
  ),
});

const bookedStep = object({
  index: num,
  sequenceId: strOrNum,
  start: num,
  end: num,
  participants: list(str),
  eventId: str,
  summary: str,
});

/** Formats 1 to 3: the booked option as stored. */
export const STORED_BOOKED = object({ steps: list(bookedStep) });

export type StoredRequest = Read<typeof STORED_REQUEST>;
export type StoredBooked = Read<typeof STORED_BOOKED>;
export type StoredStep = ObjectOf<typeof step.fields>;

export class StoredLinkError extends Error {
  override name = 'StoredLinkError';
}

function formatOf(linkId: string, stored: Readonly<Record<string, unknown>>, what: string): number {
  // Rows written before the format number existed have the shape of format 1.
  const format = stored.format ?? 1;
  if (format !== 1 && format !== 2 && format !== LINK_FORMAT) {
    throw new StoredLinkError(
      `link ${linkId}: ${what} has format ${String(format)}, expected ${LINK_FORMAT}`,
    );
  }
  return format;
}

function decoded<T>(linkId: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new StoredLinkError(`link ${linkId}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Reads a stored request of any known format; its kind must be the row's. */
export function readStoredRequest(
  linkId: string,
  kind: LinkKind,
  stored: Readonly<Record<string, unknown>>,
): StoredRequest {
  const shape = formatOf(linkId, stored, 'request') === LINK_FORMAT ? STORED_REQUEST : REQUEST_LEGACY;
  const request = decoded(linkId, () => shape.read(stored, 'request'));
  if (request.kind !== kind) throw new StoredLinkError(`link ${linkId}: request.kind is not ${kind}`);
  return request;
}

export function readStoredBooked(linkId: string, stored: Readonly<Record<string, unknown>>): StoredBooked {
  formatOf(linkId, stored, 'booked option');
  return decoded(linkId, () => STORED_BOOKED.read(stored, 'booked'));
}
