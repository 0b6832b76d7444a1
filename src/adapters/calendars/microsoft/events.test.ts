import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isProviderError } from '../../../ports/synced-provider.ts';
import { busyOf, changeOf, createBody, dateTimeIn, instantOf, rtseqUidOf } from './events.ts';
import { ianaZoneOf } from './windows-zones.ts';

const badResponse = (error: unknown) => isProviderError(error) && error.code === 'bad_response';

describe('Graph event times and busy rules', () => {
  test("{dateTime, timeZone} in UTC, in IANA and Windows zones, with Graph's seven fractional digits", () => {
    assert.equal(
      instantOf({ dateTime: '2030-01-07T09:00:00.0000000', timeZone: 'UTC' }, 't'),
      Date.UTC(2030, 0, 7, 9),
    );
    assert.equal(
      instantOf({ dateTime: '2030-01-07T09:00:00.1234567', timeZone: 'UTC' }, 't'),
      Date.UTC(2030, 0, 7, 9, 0, 0, 123),
    );
    assert.equal(
      instantOf({ dateTime: '2030-01-07T10:00:00', timeZone: 'W. Europe Standard Time' }, 't'),
      Date.UTC(2030, 0, 7, 9),
    );
    assert.equal(
      instantOf({ dateTime: '2030-07-07T10:00:00', timeZone: 'Europe/Berlin' }, 't'),
      Date.UTC(2030, 6, 7, 8),
    );
    assert.equal(
      instantOf({ dateTime: '2030-01-07T14:30:00', timeZone: 'India Standard Time' }, 't'),
      Date.UTC(2030, 0, 7, 9),
    );
    assert.equal(
      instantOf({ dateTime: '2030-01-07T09:00:00Z', timeZone: 'Pacific Standard Time' }, 't'),
      Date.UTC(2030, 0, 7, 9),
    );
    assert.equal(
      instantOf({ dateTime: '2030-01-07T09:00:00', timeZone: 'tzone://Microsoft/Utc' }, 't'),
      Date.UTC(2030, 0, 7, 9),
    );
    assert.throws(
      () => instantOf({ dateTime: '2030-01-07T09:00:00', timeZone: 'Mars Standard Time' }, 't'),
      badResponse,
    );
    assert.throws(() => instantOf({ dateTime: 'tomorrow', timeZone: 'UTC' }, 't'), badResponse);
  });

  test('a DST week: the wall time after the spring-forward gap is read in the new offset', () => {
    // America/New_York springs forward on 2030-03-10 at 02:00.
    assert.equal(
      instantOf({ dateTime: '2030-03-10T09:00:00', timeZone: 'Eastern Standard Time' }, 't'),
      Date.UTC(2030, 2, 10, 13),
    );
    assert.equal(
      instantOf({ dateTime: '2030-03-09T09:00:00', timeZone: 'Eastern Standard Time' }, 't'),
      Date.UTC(2030, 2, 9, 14),
    );
  });

  test('all-day events cover their dates in the calendar zone, else their own zone, else UTC', () => {
    const allDay = {
      id: 'a',
      isAllDay: true,
      showAs: 'busy',
      originalStartTimeZone: 'Tokyo Standard Time',
      start: { dateTime: '2030-01-08T00:00:00.0000000', timeZone: 'UTC' },
      end: { dateTime: '2030-01-09T00:00:00.0000000', timeZone: 'UTC' },
    };
    assert.deepEqual(busyOf(allDay, 'America/New_York', 't'), {
      start: Date.UTC(2030, 0, 8, 5),
      end: Date.UTC(2030, 0, 9, 5),
    });
    assert.deepEqual(busyOf(allDay, null, 't'), {
      start: Date.UTC(2030, 0, 7, 15),
      end: Date.UTC(2030, 0, 8, 15),
    });
    assert.deepEqual(busyOf({ ...allDay, originalStartTimeZone: 'Nowhere' }, null, 't'), {
      start: Date.UTC(2030, 0, 8),
      end: Date.UTC(2030, 0, 9),
    });
  });

  test('free, workingElsewhere, cancelled and empty events make nobody busy; tentative and oof do', () => {
    const timed = {
      id: 'e',
      start: { dateTime: '2030-01-07T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2030-01-07T10:00:00', timeZone: 'UTC' },
    };
    const busy = { start: Date.UTC(2030, 0, 7, 9), end: Date.UTC(2030, 0, 7, 10) };
    assert.equal(busyOf({ ...timed, showAs: 'free' }, null, 't'), null);
    assert.equal(busyOf({ ...timed, showAs: 'workingElsewhere' }, null, 't'), null);
    assert.equal(busyOf({ ...timed, showAs: 'busy', isCancelled: true }, null, 't'), null);
    assert.equal(busyOf({ ...timed, end: timed.start }, null, 't'), null);
    assert.deepEqual(busyOf({ ...timed, showAs: 'tentative' }, null, 't'), busy);
    assert.deepEqual(busyOf({ ...timed, showAs: 'oof' }, null, 't'), busy);
    assert.deepEqual(busyOf({ ...timed, showAs: 'unknown' }, null, 't'), busy);
    assert.throws(() => busyOf({ id: 'x', showAs: 'busy' }, null, 't'), badResponse);
  });

  test('@removed entries are deletes; entries without id are bad_response', () => {
    assert.deepEqual(changeOf({ id: 'gone', '@removed': { reason: 'deleted' } }, null, 't'), {
      kind: 'delete',
      key: 'gone',
    });
    assert.throws(() => changeOf({ '@removed': {} }, null, 't'), badResponse);
    assert.throws(() => changeOf('nonsense', null, 't'), badResponse);
  });

  test('the uid round-trips through transactionId; written times are wall clock in the event zone', () => {
    const body = createBody({
      uid: 'evt_9',
      summary: 'S',
      description: null,
      location: null,
      start: Date.UTC(2030, 6, 1, 8),
      end: Date.UTC(2030, 6, 1, 9),
      tzid: 'Europe/Berlin',
    });
    assert.equal(body.transactionId, 'rtseq-evt_9');
    assert.equal(rtseqUidOf(body), 'evt_9');
    assert.equal(rtseqUidOf({ transactionId: 'rtseq-' }), null);
    assert.equal(rtseqUidOf({ transactionId: null }), null);
    assert.deepEqual(body.start, { dateTime: '2030-07-01T10:00:00.0000000', timeZone: 'Europe/Berlin' });
    assert.equal('attendees' in body, false);
    assert.deepEqual(dateTimeIn(Date.UTC(2030, 0, 1), 'Not/AZone'), {
      dateTime: '2030-01-01T00:00:00.0000000',
      timeZone: 'UTC',
    });
  });

  test('Windows zone names map to IANA; IANA names pass; unknown names are null', () => {
    assert.equal(ianaZoneOf('Pacific Standard Time'), 'America/Los_Angeles');
    assert.equal(ianaZoneOf('GMT Standard Time'), 'Europe/London');
    assert.equal(ianaZoneOf('Asia/Tokyo'), 'Asia/Tokyo');
    assert.equal(ianaZoneOf('Customized Time Zone'), null);
    assert.equal(ianaZoneOf(''), null);
    assert.equal(ianaZoneOf(null), null);
  });
});
