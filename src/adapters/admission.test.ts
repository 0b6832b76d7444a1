/** The admission policy (issue 21, item 2) with plain tickets and clock values: no threads, no timing. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ComputeLane } from '../ports/compute.ts';
import { Admission, type AdmissionLimits, INTERNAL, type Ticket } from './admission.ts';

const LIMITS: AdmissionLimits = {
  apiThreads: 2,
  api: { queue: 6, perTenant: 3 },
  page: { queue: 4, perTenant: 2 },
};

const ticket = (lane: ComputeLane, tenant: string, job: string, deadline = 1000): Ticket<string> => ({
  lane,
  tenant,
  deadline,
  job,
});

/** Takes everything that may run now, in order. */
function drainRunnable(admission: Admission<string>): Ticket<string>[] {
  const out: Ticket<string>[] = [];
  for (let t = admission.next(); t !== undefined; t = admission.next()) out.push(t);
  return out;
}

describe('admission', () => {
  test('applications take turns: one tenant’s burst waits behind every other tenant’s next job', () => {
    const admission = new Admission<string>({
      ...LIMITS,
      apiThreads: 100,
      api: { queue: 100, perTenant: 10 },
    });
    for (const job of ['a1', 'a2', 'a3', 'a4']) assert.equal(admission.admit(ticket('api', 'A', job)), null);
    assert.equal(admission.admit(ticket('api', 'B', 'b1')), null);
    assert.equal(admission.admit(ticket('api', 'C', 'c1')), null);
    assert.equal(admission.admit(ticket('api', 'B', 'b2')), null);
    assert.deepEqual(
      drainRunnable(admission).map((t) => t.job),
      ['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4'],
    );
  });

  test('an application over its share is refused; others are not', () => {
    const admission = new Admission<string>(LIMITS);
    for (const job of ['a1', 'a2', 'a3']) assert.equal(admission.admit(ticket('api', 'A', job)), null);
    assert.equal(admission.admit(ticket('api', 'A', 'a4')), 'tenant_full');
    assert.equal(admission.admit(ticket('api', 'B', 'b1')), null);
    // Running jobs still count against the share until they finish.
    const first = admission.next()!;
    assert.equal(first.job, 'a1');
    assert.equal(admission.admit(ticket('api', 'A', 'a4')), 'tenant_full');
    admission.finished(first);
    assert.equal(admission.admit(ticket('api', 'A', 'a4')), null);
  });

  test('a full lane refuses every tenant; the other lane is unaffected', () => {
    const admission = new Admission<string>(LIMITS);
    for (const tenant of ['A', 'B', 'C']) {
      assert.equal(admission.admit(ticket('api', tenant, `${tenant}1`)), null);
      assert.equal(admission.admit(ticket('api', tenant, `${tenant}2`)), null);
    }
    assert.equal(admission.admit(ticket('api', 'D', 'd1')), 'lane_full');
    assert.equal(admission.admit(ticket('page', 'visitor', 'p1')), null);
    assert.deepEqual(admission.counts(), { api: { queued: 6, running: 0 }, page: { queued: 1, running: 0 } });
  });

  test('pages never wait behind API work: API jobs hold at most their threads, pages go first', () => {
    const admission = new Admission<string>(LIMITS);
    for (const job of ['a1', 'a2', 'a3']) admission.admit(ticket('api', 'A', job));
    for (const job of ['b1', 'b2']) admission.admit(ticket('api', 'B', job));
    const running = drainRunnable(admission);
    assert.deepEqual(
      running.map((t) => t.job),
      ['a1', 'b1'],
      'two API threads, then nothing more for the API',
    );
    admission.admit(ticket('page', 'visitor', 'p1'));
    admission.admit(ticket('page', 'other', 'p2'));
    assert.equal(admission.next()?.job, 'p1', 'a page runs while the API threads are all busy');
    assert.equal(admission.next()?.job, 'p2');
    assert.equal(admission.next(), undefined);
    admission.finished(running[0]!);
    admission.admit(ticket('page', 'visitor', 'p3'));
    assert.equal(admission.next()?.job, 'p3', 'a free thread takes the waiting page before API work');
    assert.equal(admission.next()?.job, 'a2');
    assert.deepEqual(admission.counts(), { api: { queued: 2, running: 2 }, page: { queued: 0, running: 3 } });
  });

  test('a page visitor over its share is refused; a full page lane refuses everyone', () => {
    const admission = new Admission<string>(LIMITS);
    assert.equal(admission.admit(ticket('page', 'V', 'v1')), null);
    assert.equal(admission.admit(ticket('page', 'V', 'v2')), null);
    assert.equal(admission.admit(ticket('page', 'V', 'v3')), 'tenant_full');
    assert.equal(admission.admit(ticket('page', 'W', 'w1')), null);
    assert.equal(admission.admit(ticket('page', 'X', 'x1')), null);
    assert.equal(admission.admit(ticket('page', 'Y', 'y1')), 'lane_full');
  });

  test('jobs that wait out their deadline are dropped, and free their tenant’s share', () => {
    const admission = new Admission<string>(LIMITS);
    admission.admit(ticket('api', 'A', 'a1', 100));
    admission.admit(ticket('api', 'A', 'a2', 300));
    admission.admit(ticket('api', 'A', 'a3', 200));
    admission.admit(ticket('page', 'V', 'v1', 150));
    assert.equal(admission.nextDeadline(), 100);
    assert.deepEqual(admission.expire(99), []);
    assert.deepEqual(
      admission.expire(200).map((t) => t.job),
      ['a1', 'a3', 'v1'],
    );
    assert.equal(admission.nextDeadline(), 300);
    assert.deepEqual(admission.counts(), { api: { queued: 1, running: 0 }, page: { queued: 0, running: 0 } });
    assert.equal(admission.admit(ticket('api', 'A', 'a4')), null);
    assert.equal(admission.admit(ticket('api', 'A', 'a5')), null);
    assert.equal(admission.admit(ticket('api', 'A', 'a6')), 'tenant_full');
    assert.deepEqual(
      drainRunnable(admission).map((t) => t.job),
      ['a2', 'a4'],
    );
  });

  test('drain empties both lanes and releases every share', () => {
    const admission = new Admission<string>(LIMITS);
    admission.admit(ticket('api', 'A', 'a1'));
    admission.admit(ticket('page', 'V', 'v1'));
    assert.deepEqual(
      admission
        .drain()
        .map((t) => t.job)
        .sort(),
      ['a1', 'v1'],
    );
    assert.equal(admission.next(), undefined);
    for (const job of ['a2', 'a3', 'a4']) assert.equal(admission.admit(ticket('api', 'A', job)), null);
  });
});

test('work outside any request (jobs, the CLI) has no share limit, only the lane’s bound', () => {
  const admission = new Admission<string>(LIMITS);
  for (let i = 0; i < 6; i++) assert.equal(admission.admit(ticket('api', INTERNAL, `j${i}`)), null);
  assert.equal(admission.admit(ticket('api', INTERNAL, 'j6')), 'lane_full');
});
