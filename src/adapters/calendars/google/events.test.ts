import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eventChange, googleEventBody, googleEventId, instantOf } from './events.ts';

describe('Google events: ids, bodies, times', () => {
  test('the event id is deterministic base32hex of the uid, within Google’s rules', () => {
    const id = googleEventId('a1b2@rtseq');
    assert.equal(id, googleEventId('a1b2@rtseq'));
    assert.notEqual(id, googleEventId('a1b3@rtseq'));
    assert.match(id, /^rtseq[a-v0-9]+$/);
    // "f" is 0x66 = 01100 110(00): base32hex "c" then "o".
    assert.equal(googleEventId('f'), 'rtseqco');
    const long = googleEventId('x'.repeat(2000));
    assert.match(long, /^rtseqh[a-v0-9]{52}$/);
    assert.equal(long, googleEventId('x'.repeat(2000)));
  });

  test('an insert body names the id and uid; a patch clears emptied fields', () => {
    const event = {
      uid: 'u1',
      summary: 'S',
      description: null,
      location: null,
      start: Date.UTC(2026, 0, 5, 9),
      end: Date.UTC(2026, 0, 5, 10),
      tzid: 'Europe/Paris',
    };
    const insert = googleEventBody(event, 'rtseqid');
    assert.equal(insert.id, 'rtseqid');
    assert.ok(!('description' in insert) && !('location' in insert));
    assert.deepEqual(insert.start, { dateTime: '2026-01-05T09:00:00.000Z', timeZone: 'Europe/Paris' });
    assert.deepEqual(insert.extendedProperties, { private: { rtseqUid: 'u1' } });
    const patch = googleEventBody(event, null);
    assert.ok(!('id' in patch));
    assert.equal(patch.description, null);
    assert.equal(patch.location, null);
  });

  test('times: offsets, wall-clock in the time’s zone, dates in the calendar’s zone', () => {
    assert.equal(instantOf({ dateTime: '2026-07-01T10:00:00+02:00' }, 'UTC'), Date.UTC(2026, 6, 1, 8));
    assert.equal(
      instantOf({ dateTime: '2026-07-01T10:00:00', timeZone: 'America/New_York' }, 'UTC'),
      Date.UTC(2026, 6, 1, 14),
    );
    assert.equal(instantOf({ dateTime: '2026-07-01T10:00:00' }, 'Asia/Kolkata'), Date.UTC(2026, 6, 1, 4, 30));
    assert.equal(instantOf({ date: '2026-07-01' }, 'Asia/Kolkata'), Date.UTC(2026, 5, 30, 18, 30));
    assert.equal(instantOf({ dateTime: 'tomorrow' }, 'UTC'), null);
    assert.equal(instantOf(undefined, 'UTC'), null);
  });

  test('an event without an id, or with no readable time, is a bad answer', () => {
    assert.throws(() => eventChange({ status: 'confirmed' }, 'UTC'), { code: 'bad_response' });
    assert.throws(() => eventChange({ id: 'e1', start: { date: 'x' }, end: { date: 'y' } }, 'UTC'), {
      code: 'bad_response',
    });
    assert.deepEqual(eventChange({ id: 'e2', status: 'cancelled' }, 'UTC'), { kind: 'delete', key: 'e2' });
    const empty = {
      id: 'e3',
      start: { dateTime: '2026-01-01T00:00:00Z' },
      end: { dateTime: '2026-01-01T00:00:00Z' },
    };
    assert.deepEqual(eventChange(empty, 'UTC'), { kind: 'upsert', key: 'e3', busy: null, rtseqUid: null });
  });
});
