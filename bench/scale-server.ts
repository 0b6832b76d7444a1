/**
 * What the scale benches (bench/scale.ts, bench/scale-compare.ts) share: the key their databases
 * are sealed with, loading the bulk data into a seeded database, the environment of the server
 * they start, and the availability question they ask.
 */
import type { AppContext } from '../src/app/context.ts';
import { PLAIN_SEALED_SETTING } from '../src/app/secrets.ts';
import { loadBulk, openBulk, type Sizes } from './scale-data.ts';

export const SCALE_KEY = 'scale-benchmark-secret-key-0123456789-abcdef';
const DAY = 86_400_000;

/** The server's environment beside the database's: limits that would throttle the bench off. */
export const SCALE_SERVER_ENV: Readonly<Record<string, string>> = {
  SECRET_KEY: SCALE_KEY,
  LOG_LEVEL: 'error',
  ALLOW_PRIVATE_CALLBACKS: 'true',
  RATE_LIMIT_PER_SECOND: '1000000',
  RATE_LIMIT_PER_MINUTE: '60000000',
  PAGE_RATE_LIMIT_PER_SECOND: '1000000',
  RETAIN_RESERVATIONS_DAYS: '0',
  RETAIN_DELIVERIES_DAYS: '0',
};

/** Bulk-loads `sizes` into the seeded database of `ctx` (opened with SCALE_KEY); returns seconds. */
export async function loadSealed(
  ctx: AppContext,
  database: Record<string, string>,
  applicationId: string,
  sizes: Sizes,
): Promise<number> {
  const bulk = await openBulk(database);
  const started = performance.now();
  await loadBulk(bulk, applicationId, sizes, Date.now(), (plain) => ctx.secrets.seal(plain));
  const seconds = (performance.now() - started) / 1000;
  await bulk.close();
  // Everything above was sealed with the key, as in a database keyed from its start: the
  // server's background sweep (jobs/sealing-job.ts) has nothing to do and must not run meanwhile.
  await ctx.store.transaction((r) => r.settings.put(PLAIN_SEALED_SETTING, 'yes'));
  return seconds;
}

/** `members` of the bulk accounts over `days` whole days from tomorrow, any one free, as periods. */
export function availabilityBody(members: number, days: number): string {
  const from = new Date(Math.ceil(Date.now() / DAY) * DAY);
  const to = new Date(from.getTime() + days * DAY);
  return JSON.stringify({
    participants: [
      { members: Array.from({ length: members }, (_, i) => ({ sub: `bacc_${i * 97 + 1}` })), required: 1 },
    ],
    required_duration: { minutes: 60 },
    query_periods: [
      { start: from.toISOString().slice(0, 19) + 'Z', end: to.toISOString().slice(0, 19) + 'Z' },
    ],
    response_format: 'periods',
  });
}
