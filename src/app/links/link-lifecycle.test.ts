import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allows,
  inviteeMay,
  LIFECYCLE,
  type LifecycleFacts,
  offersTimes,
  statusAt,
  storedFrom,
  target,
} from './link-lifecycle.ts';

const HOUR = 3_600_000;
const T = Date.UTC(2030, 0, 7, 9);

const facts = (over: Partial<LifecycleFacts> = {}): LifecycleFacts => ({
  status: 'completed',
  expiresAt: T + 48 * HOUR,
  rescheduleBy: null,
  firstBookedStart: T + 24 * HOUR,
  inviteeActionCutoffMinutes: 120,
  ...over,
});

describe('the link lifecycle table', () => {
  it('says who may move a link where (SPEC 6.5, 6.6)', () => {
    assert.equal(allows('open', 'book', 'invitee'), true);
    assert.equal(allows('rescheduling', 'book', 'invitee'), true);
    assert.equal(allows('completed', 'book', 'invitee'), false);
    assert.equal(allows('open', 'book', 'application'), false);
    assert.equal(allows('completed', 'disable', 'application'), false, 'a completed link cannot be disabled');
    assert.equal(allows('open', 'cancel', 'application'), false, 'nothing booked to cancel');
    assert.equal(allows('rescheduling', 'reschedule', 'application'), true, 'a new scope');
    assert.equal(allows('rescheduling', 'reschedule', 'invitee'), false);
    assert.equal(allows('cancelled', 'cancel', 'application'), true, 'cancelling twice is harmless');
    assert.equal(allows('cancelled', 'reschedule', 'application'), false);
    assert.equal(target('rescheduling', 'book', 'invitee'), 'completed');
    assert.equal(target('open', 'choose', 'invitee'), 'open');
    assert.deepEqual(storedFrom('disable', 'application'), ['open', 'disabled'], 'expired is never stored');
    assert.equal(offersTimes('open') && offersTimes('rescheduling'), true);
    assert.equal(
      ['completed', 'disabled', 'expired', 'cancelled'].some((s) => offersTimes(s as 'open')),
      false,
    );
  });

  it('moves by time only from the statuses the table names', () => {
    for (const row of LIFECYCLE) {
      if (row.actors.includes('time')) assert.equal(row.actors.length, 1, `${row.action} is time's alone`);
    }
    assert.equal(statusAt(facts({ status: 'open' }), T + 48 * HOUR), 'expired');
    assert.equal(statusAt(facts({ status: 'open' }), T + 48 * HOUR - 1), 'open');
    assert.equal(statusAt(facts({ status: 'disabled' }), T + 99 * HOUR), 'disabled');
  });

  it('an invitee reschedule lapses at the cutoff; an application one when the query periods end', () => {
    const cutoff = T + 22 * HOUR;
    const invitee = facts({ status: 'rescheduling', rescheduleBy: 'invitee' });
    assert.equal(statusAt(invitee, cutoff - 1), 'rescheduling');
    assert.equal(statusAt(invitee, cutoff), 'completed');
    const application = facts({ status: 'rescheduling', rescheduleBy: 'application' });
    assert.equal(statusAt(application, cutoff + HOUR), 'rescheduling');
    assert.equal(statusAt(application, T + 48 * HOUR), 'completed');
  });

  it('the invitee acts only when the link allows it, something is booked, and before the cutoff', () => {
    const cutoff = T + 22 * HOUR;
    assert.deepEqual(inviteeMay(facts(), true, 'reschedule', cutoff - 1), { allowed: true });
    assert.deepEqual(inviteeMay(facts(), true, 'reschedule', cutoff), { allowed: false, reason: 'cutoff' });
    assert.deepEqual(inviteeMay(facts(), false, 'cancel', T), { allowed: false, reason: 'not_allowed' });
    assert.deepEqual(inviteeMay(facts({ status: 'open', firstBookedStart: null }), true, 'cancel', T), {
      allowed: false,
      reason: 'not_booked',
    });
    const rescheduling = facts({ status: 'rescheduling', rescheduleBy: 'invitee' });
    assert.deepEqual(inviteeMay(rescheduling, true, 'cancel', T), { allowed: true });
    assert.deepEqual(inviteeMay(rescheduling, true, 'reschedule', T), {
      allowed: false,
      reason: 'not_booked',
    });
  });
});
