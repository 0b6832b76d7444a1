/**
 * The XL workload of issue 13, shared by bench/bounded.ts and bench/page.ts: the heaviest
 * `POST /v1/sequenced_availability` the limits allow (20 steps, each 10 groups of 50 members drawn
 * from 200 distinct members, `start_interval` 1, 89 whole-day query periods) over 200 members with
 * 300 busy events each (60,000 in all), sent from a worker thread so that the sending process's
 * own parsing of the large answers never delays what it measures.
 */
import { Worker } from 'node:worker_threads';
import { createApplicationCalendar } from '../src/app/accounts/accounts.ts';
import type { AppContext } from '../src/app/context.ts';
import type { ApplicationRecord } from '../src/ports/store.ts';
import { prng } from './prng.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
export const XL_MEMBERS = 200;
export const XL_BUSY_PER_MEMBER = 300;
export const XL_DAYS = 90;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** An opaque, confirmed "Busy" event row for the benches' seeds. */
export function busyEvent(
  calendarId: string,
  eventId: string,
  eventUid: string,
  startMs: number,
  endMs: number,
  now: number,
) {
  return {
    calendarId,
    eventId,
    eventUid,
    summary: 'Busy',
    startMs,
    endMs,
    allDay: false,
    transparency: 'opaque' as const,
    status: 'confirmed' as const,
    deleted: false,
    data: {},
    createdAt: now,
    updatedAt: now,
  };
}

/** Writes the 200 members and their busy events (from `start`, over 90 days); returns their subs. */
export async function seedXlMembers(
  ctx: AppContext,
  application: ApplicationRecord,
  start: number,
  now: number,
): Promise<string[]> {
  const random = prng(13);
  const subs: string[] = [];
  for (let m = 0; m < XL_MEMBERS; m++) {
    const person = await createApplicationCalendar(ctx, application, `xl-member-${m}`);
    subs.push(person.account.id);
    await ctx.store.transaction(async (repos) => {
      for (let e = 0; e < XL_BUSY_PER_MEMBER; e++) {
        const startMs = start + Math.floor((random() * XL_DAYS * DAY) / (5 * MINUTE)) * 5 * MINUTE;
        const endMs = startMs + (1 + Math.floor(random() * 6)) * 5 * MINUTE;
        await repos.events.upsert(
          busyEvent(person.calendar.id, `busy-${e}`, `uid-${m}-${e}`, startMs, endMs, now),
        );
      }
    });
  }
  return subs;
}

export function xlSequence(subs: readonly string[]) {
  return Array.from({ length: 20 }, (_, step) => ({
    sequence_id: `step-${step}`,
    ordinal: step + 1,
    participants: Array.from({ length: 10 }, (_, g) => ({
      members: Array.from({ length: 50 }, (_, m) => ({ sub: subs[(step * 7 + g * 50 + m) % subs.length]! })),
      required: g % 2 === 0 ? 1 : 2,
    })),
    required_duration: { minutes: 15 },
    start_interval: { minutes: 1 },
    buffer: { before: { minimum: { minutes: 0 }, maximum: { minutes: 240 } } },
    event: { event_id: `xl-${step}`, summary: `Step ${step + 1}` },
  }));
}

/** 89 whole-day periods from `start` (the 90-day span). */
export function xlQueryPeriods(start: number) {
  return Array.from({ length: XL_DAYS - 1 }, (_, d) => ({
    start: iso(start + d * DAY),
    end: iso(start + (d + 1) * DAY),
  }));
}

/** The XL request's body for these members, starting at `start`. */
export function xlBody(subs: readonly string[], start: number): string {
  return JSON.stringify({ sequence: xlSequence(subs), query_periods: xlQueryPeriods(start) });
}

export type XlResult = { ms: number; status: number; options: number };

/** What the worker runs: `count` senders, each sending one request, or back to back until told to stop. */
const SENDER = `
  const { parentPort, workerData } = require('node:worker_threads');
  const { base, headers, body, count, repeat } = workerData;
  let stopping = false;
  parentPort.on('message', () => { stopping = true; });
  const one = async () => {
    const t0 = performance.now();
    const response = await fetch(base + '/v1/sequenced_availability', { method: 'POST', headers, body });
    const json = await response.json();
    return { ms: performance.now() - t0, status: response.status, options: json.sequences ? json.sequences.length : 0 };
  };
  const sender = async () => {
    const results = [await one()];
    while (repeat && !stopping) results.push(await one());
    return results;
  };
  Promise.all(Array.from({ length: count }, sender)).then((all) => parentPort.postMessage(all.flat()));
`;

type Target = { base: string; headers: Record<string, string>; body: string };

function startSenders(target: Target, count: number, repeat: boolean) {
  const worker = new Worker(SENDER, { eval: true, workerData: { ...target, count, repeat } });
  const done = new Promise<XlResult[]>((resolve, reject) => {
    worker.once('message', (results: XlResult[]) => {
      void worker.terminate();
      resolve(results);
    });
    worker.once('error', reject);
  });
  return { worker, done };
}

/** Sends `count` XL requests at once; resolves with each one's result. */
export function sendXl(target: Target, count: number): Promise<XlResult[]> {
  return startSenders(target, count, false).done;
}

/**
 * Keeps `count` XL requests in flight until the returned `stop` is called; `stop` resolves with
 * every request's result once the ones in flight have been answered.
 */
export function keepXlRunning(target: Target, count: number): { stop: () => Promise<XlResult[]> } {
  const { worker, done } = startSenders(target, count, true);
  return {
    stop: () => {
      worker.postMessage('stop');
      return done;
    },
  };
}
