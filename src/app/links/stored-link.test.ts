import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LinkRecord } from '../../ports/store.ts';
import { decodeLink, encodeBooked, encodeRequest, type LinkRequest } from './link-model.ts';
import { LINK_FORMAT, STORED_BOOKED, STORED_REQUEST } from './stored-link.ts';

/**
 * The stored shapes as recorded for each format. A change of a stored shape must come with a new
 * LINK_FORMAT (and a decoder for the previous one): then record the new shape here under the new
 * number, keeping the old entries.
 */
const RECORDED: Readonly<Record<number, { request: string; booked: string }>> = {
  3: {
    request:
      '{kind: "sequencing" | "scheduling", redirectUri: string, state: string | null, event: json-object, targetCalendars: [{sub: string, calendarId: string}], completedCallbackUrl: string | null, noTimesSuitableUrl: string | null, redirectCompletedUrl: string | null, selectionMode: "no_confirm" | "confirm", sequence: {steps: [{sequenceId: string | number, ordinal: number | null, groups: [{members: [{sub: string, calendarIds: [string] | null, availablePeriods: [{start: number, end: number}] | null, managedAvailability: boolean, availabilityRuleIds: [string] | null, availabilityConstraints: [{limit: number, period: "day" | "week" | "month", tzid: string, tags: [string] | null}] | null}], required: number | null}], durationMinutes: number, startIntervalMinutes: number | null, before: {minMinutes: number, maxMinutes: number | null}, after: {minMinutes: number, maxMinutes: number | null}, stepPeriods: [{start: number, end: number}] | null, event: json-object | null}], queryPeriods: [{start: number, end: number}], tzid: string | null, minimumNoticeMinutes: number, maxResults: number}, hourFormat: "h" | "H" | null, locale: string | null, organizer: {name: string | null, email: string | null} | null, inviteeActions: {reschedule: boolean, cancel: boolean}, inviteeActionCutoffMinutes: number}',
    booked:
      '{steps: [{index: number, sequenceId: string | number, start: number, end: number, participants: [string], eventId: string, summary: string}]}',
  },
};

const T = Date.UTC(2030, 0, 7, 9);
const HOUR = 3_600_000;

/** A request as the wire reader produces it, with the error paths decoding regenerates. */
const request: LinkRequest = {
  kind: 'sequencing',
  redirectUri: 'https://app.example/done',
  state: 'st',
  event: { event_id: 'loop', summary: 'Interview loop' },
  sequence: {
    steps: [
      {
        path: 'availability.sequence[0]',
        sequenceId: 'first',
        ordinal: 1,
        groups: [
          {
            path: 'availability.sequence[0].participants[0]',
            required: null,
            members: [
              {
                sub: 'acc_1',
                path: 'availability.sequence[0].participants[0].members[0]',
                calendarIds: ['cal_1'],
                availablePeriods: [{ start: T, end: T + 8 * HOUR }],
                managedAvailability: false,
                availabilityRuleIds: null,
                availabilityConstraints: [{ limit: 2, period: 'day', tzid: 'UTC', tags: ['interview'] }],
              },
            ],
          },
        ],
        durationMinutes: 60,
        startIntervalMinutes: 30,
        before: { minMinutes: 0, maxMinutes: null },
        after: { minMinutes: 15, maxMinutes: 120 },
        stepPeriods: null,
        event: { event_id: 'first', summary: 'First' },
      },
    ],
    queryPeriods: [{ start: T, end: T + 48 * HOUR }],
    tzid: 'Europe/London',
    minimumNoticeMinutes: 0,
    maxResults: 512,
  },
  targetCalendars: [{ sub: 'acc_1', calendarId: 'cal_1' }],
  completedCallbackUrl: 'https://app.example/cb',
  noTimesSuitableUrl: null,
  redirectCompletedUrl: null,
  selectionMode: 'confirm',
  hourFormat: 'H',
  locale: 'de',
  organizer: { name: 'Ada', email: null },
  inviteeActions: { reschedule: true, cancel: false },
  inviteeActionCutoffMinutes: 120,
};

const booked = {
  steps: [
    {
      index: 0,
      sequenceId: 'first',
      start: T,
      end: T + HOUR,
      participants: ['acc_1'],
      eventId: 'first',
      summary: 'First',
    },
  ],
};

function record(over: Partial<LinkRecord>): LinkRecord {
  return {
    id: 'seq_1',
    applicationId: 'app_1',
    kind: 'sequencing',
    tokenHash: 'h',
    tokenSealed: 's',
    status: 'completed',
    request: encodeRequest(request),
    createdAt: T - HOUR,
    expiresAt: T + 48 * HOUR,
    completedAt: T - 1,
    booked: encodeBooked(booked),
    displayMessage: null,
    rescheduleSteps: null,
    cancelledAt: null,
    cancelReason: null,
    version: 3,
    rescheduleBy: null,
    ...over,
  };
}

/**
 * What earlier versions wrote: `{format, ...the wire reader's LinkRequest}`, paths and all; format 1
 * before members had availability constraints, format 2 with them.
 */
function legacyRequest(format: 1 | 2): Record<string, unknown> {
  const row = JSON.parse(JSON.stringify({ format, ...request }));
  if (format === 1) {
    for (const step of row.sequence.steps) {
      for (const group of step.groups)
        for (const member of group.members) delete member.availabilityConstraints;
    }
  }
  return row;
}

/** The request without constraints, as a format 1 row decodes. */
function withoutConstraints(): LinkRequest {
  const plain = JSON.parse(JSON.stringify(request)) as LinkRequest;
  for (const step of plain.sequence.steps) {
    for (const group of step.groups) {
      for (const member of group.members)
        delete (member as { availabilityConstraints?: unknown }).availabilityConstraints;
    }
  }
  return plain;
}

describe('the stored link format', () => {
  it('has the shape recorded for LINK_FORMAT (a change needs a new format number)', () => {
    const recorded = RECORDED[LINK_FORMAT];
    assert.ok(recorded !== undefined, `no shape recorded for format ${LINK_FORMAT}: record it in this test`);
    assert.equal(STORED_REQUEST.describe, recorded.request);
    assert.equal(STORED_BOOKED.describe, recorded.booked);
  });

  it('writes the format number and no wire error paths', () => {
    const stored = encodeRequest(request);
    assert.equal(stored.format, LINK_FORMAT);
    assert.doesNotMatch(JSON.stringify(stored), /"path"/);
    assert.equal(encodeBooked(booked).format, LINK_FORMAT);
  });

  it('round-trips a request and a booked option', () => {
    const link = decodeLink(record({}));
    assert.deepEqual(link.request, request);
    assert.deepEqual(link.booked, booked);
  });

  it('decodes format 1 and format 2 rows as earlier versions wrote them', () => {
    const one = decodeLink(record({ request: legacyRequest(1), booked: { format: 1, ...booked } }));
    assert.deepEqual(one.request, withoutConstraints());
    assert.deepEqual(one.booked, booked);
    const two = decodeLink(record({ request: legacyRequest(2), booked: { format: 2, ...booked } }));
    assert.deepEqual(two.request, request);
  });

  it('decodes a row from before the format number and the later fields, with their defaults', () => {
    const old = legacyRequest(1);
    for (const key of [
      'format',
      'hourFormat',
      'locale',
      'organizer',
      'inviteeActions',
      'inviteeActionCutoffMinutes',
    ]) {
      delete old[key];
    }
    const link = decodeLink(record({ request: old, booked: { steps: booked.steps } }));
    assert.equal(link.request.hourFormat, null);
    assert.equal(link.request.locale, null);
    assert.equal(link.request.organizer, null);
    assert.deepEqual(link.request.inviteeActions, { reschedule: false, cancel: false });
    assert.equal(link.request.inviteeActionCutoffMinutes, 24 * 60);
    assert.deepEqual(link.request.sequence, withoutConstraints().sequence);
  });

  it('refuses a row that does not fit, naming the field; and an unknown format', () => {
    const stored = encodeRequest(request);
    const sequence = stored.sequence as { steps: Record<string, unknown>[] };
    sequence.steps[0]!.durationMinutes = '60';
    assert.throws(
      () => decodeLink(record({ request: stored })),
      /request\.sequence\.steps\[0\]\.durationMinutes/,
    );
    assert.throws(
      () => decodeLink(record({ request: { ...encodeRequest(request), format: LINK_FORMAT + 1 } })),
      /format/,
    );
    assert.throws(() => decodeLink(record({ kind: 'scheduling' })), /kind/);
    assert.throws(
      () => decodeLink(record({ booked: { format: LINK_FORMAT, steps: [{ index: 0 }] } })),
      /booked\.steps\[0\]\.sequenceId/,
    );
  });
});
