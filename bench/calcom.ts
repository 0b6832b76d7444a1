/**
 * rtseq's engine against Cal.com's slot code (issue 28): the same collective question asked of
 * both in one process, answers checked equal start for start, then timed.
 *
 *   node bench/calcom.ts --calcom /work/calcom-src        (or CALCOM_DIR=/work/calcom-src)
 *   node bench/calcom.ts --calcom DIR --first-day 2027-03-15   (a 30-day window crossing DST)
 *   node --cpu-prof bench/calcom.ts --profile 1,10,1 --seconds 5   (rtseq only, one cell, looped)
 *
 * DIR holds Cal.com's files at their paths in Cal.com's repository plus `node_modules` with dayjs
 * and zod (docs/benchmarks.md, "Against Cal.com's slot code", lists the files, commits and
 * versions). Cal.com is AGPL: nothing of it is in this repository; bench/calcom-loader.ts resolves
 * its `@calcom/*` imports from DIR and Node's type stripping runs it as it is.
 *
 * The grid: hosts H ∈ {1,2,4}, all required (Cal.com: a COLLECTIVE event, every host fixed); E ∈
 * {10,50,200} busy events in total, split evenly between the hosts, placed by bench/prng.ts on a
 * 15-minute grid over whole days (1 to 4 quarter-hours each, so never empty); D ∈ {1,7,30} days of
 * 09:00-17:00 Europe/London working hours on every weekday. A 60-minute event, a start every 15
 * minutes, no minimum notice, no buffers. Cal.com lists every start (its slots overlap), so rtseq
 * is asked for `overlapping_slots`, the same set: the two answers must be the same instants.
 *
 * Cal.com's side is its pure pipeline from one host's working hours and busy times (ISO strings, as
 * getUserAvailability holds them) to the slots: per host `buildDateRanges` and `subtract` (both of
 * the ranges it subtracts from, as getUserAvailability does), then `getAggregatedAvailability` and
 * `getSlots`, called as Cal.com's slots service calls them. No database, HTTP, cache or calendar
 * read on either side. rtseq's side is `findAvailability` on the query the wire reader builds.
 */
import { findAvailability } from '../src/domain/engine/availability.ts';
import type { AvailabilityQuery } from '../src/domain/engine/types.ts';
import type { Interval } from '../src/domain/time/intervals.ts';
import { zonedWallToInstant } from '../src/domain/time/wall-clock.ts';
import { registerCalcom } from './calcom-loader.ts';
import { prng } from './prng.ts';

const ZONE = 'Europe/London';
const MIN = 60_000;
const QUARTER = 15 * MIN;

type Cell = { hosts: number; events: number; days: number };
type Input = { cell: Cell; busy: Interval[][]; from: number; to: number; query: AvailabilityQuery };

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

const [year, month, day] = (arg('--first-day') ?? '2027-01-11').split('-').map(Number) as [
  number,
  number,
  number,
];
const wall = (dayOffset: number, hour: number) =>
  zonedWallToInstant(ZONE, { year, month, day: day + dayOffset, hour, minute: 0, second: 0 });

/** The same deterministic input for both sides. */
function makeInput(cell: Cell): Input {
  const rnd = prng(cell.hosts * 100_000 + cell.events * 100 + cell.days);
  const from = wall(0, 0);
  const to = wall(cell.days, 0);
  const quarters = Math.floor((to - from) / QUARTER);
  const busy = Array.from({ length: cell.hosts }, (_, h) => {
    const n = Math.floor(cell.events / cell.hosts) + (h < cell.events % cell.hosts ? 1 : 0);
    return Array.from({ length: n }, () => {
      const start = from + Math.floor(rnd() * quarters) * QUARTER;
      return { start, end: start + (1 + Math.floor(rnd() * 4)) * QUARTER };
    });
  });
  const query: AvailabilityQuery = {
    groups: [
      {
        members: busy.map((b, h) => ({ sub: `host${h}`, busy: b, open: null })),
        required: cell.hosts,
      },
    ],
    durationMs: 60 * MIN,
    startIntervalMinutes: 15,
    alignmentZone: ZONE,
    queryPeriods: Array.from({ length: cell.days }, (_, d) => ({ start: wall(d, 9), end: wall(d, 17) })),
    now: from - 24 * 60 * MIN,
    minimumNoticeMs: 0,
    bufferBeforeMs: 0,
    bufferAfterMs: 0,
    format: 'overlapping_slots',
    maxResults: 100_000,
  };
  return { cell, busy, from, to, query };
}

// The little of dayjs and of Cal.com's functions the harness touches.
type Dayjs = { valueOf(): number; utc(): Dayjs; tz(zone: string): Dayjs; format(): string };
type DayjsFn = (input?: string | number) => Dayjs;
type Range = { start: Dayjs; end: Dayjs };
type CalcomApi = {
  dayjs: DayjsFn;
  stringToDayjs: (value: string) => Dayjs;
  buildDateRanges: (args: object) => { dateRanges: Range[]; oooExcludedDateRanges: Range[] };
  subtract: (ranges: Range[], busy: Range[]) => Range[];
  getAggregatedAvailability: (users: object[], schedulingType: string) => Range[];
  getSlots: (args: object) => { time: Dayjs }[];
};
type CalcomInput = { startTime: string; endTime: string; busy: { start: string; end: string }[][] };

async function loadCalcom(dir: string): Promise<CalcomApi> {
  const load = registerCalcom(dir);
  const dayjs = (await load('dayjs')) as { default: DayjsFn };
  const libDayjs = (await load('lib/dayjs')) as Pick<CalcomApi, 'stringToDayjs'>;
  const ranges = (await load('features/schedules/lib/date-ranges')) as Pick<
    CalcomApi,
    'buildDateRanges' | 'subtract'
  >;
  const aggregate = (await load(
    'features/availability/lib/getAggregatedAvailability/getAggregatedAvailability',
  )) as Pick<CalcomApi, 'getAggregatedAvailability'>;
  const slots = (await load('features/schedules/lib/slots')) as {
    default: CalcomApi['getSlots'];
  };
  return {
    dayjs: dayjs.default,
    stringToDayjs: libDayjs.stringToDayjs,
    buildDateRanges: ranges.buildDateRanges,
    subtract: ranges.subtract,
    getAggregatedAvailability: aggregate.getAggregatedAvailability,
    getSlots: slots.default,
  };
}

// Working hours as Cal.com stores them: every weekday, 09:00-17:00 as UTC times of 1970-01-01.
const AVAILABILITY = [
  {
    days: [0, 1, 2, 3, 4, 5, 6],
    startTime: new Date(Date.UTC(1970, 0, 1, 9)),
    endTime: new Date(Date.UTC(1970, 0, 1, 17)),
  },
];

function calcomInput(input: Input): CalcomInput {
  const iso = (t: number) => new Date(t).toISOString();
  return {
    startTime: iso(input.from),
    endTime: iso(input.to),
    busy: input.busy.map((b) => b.map((e) => ({ start: iso(e.start), end: iso(e.end) }))),
  };
}

/** Cal.com's slots for a collective event of these hosts, as its slots service computes them. */
function calcomSlots(api: CalcomApi, input: CalcomInput): { time: Dayjs }[] {
  const { dayjs } = api;
  const startTime = dayjs(input.startTime).utc().tz(ZONE);
  const endTime = dayjs(input.endTime).utc().tz(ZONE);
  // getUsersAvailability receives startTime.format() and parses it with stringToDayjs.
  const dateFrom = api.stringToDayjs(startTime.format());
  const dateTo = api.stringToDayjs(endTime.format());
  const users = input.busy.map((busy) => {
    const { dateRanges, oooExcludedDateRanges } = api.buildDateRanges({
      dateFrom,
      dateTo,
      availability: AVAILABILITY,
      timeZone: ZONE,
      travelSchedules: [],
      outOfOffice: {},
    });
    const formattedBusyTimes = busy.map((b) => ({ start: dayjs(b.start), end: dayjs(b.end) }));
    return {
      dateRanges: api.subtract(dateRanges, formattedBusyTimes),
      oooExcludedDateRanges: api.subtract(oooExcludedDateRanges, formattedBusyTimes),
      user: { isFixed: true, groupId: null },
    };
  });
  const dateRanges = api.getAggregatedAvailability(users, 'COLLECTIVE');
  return api.getSlots({
    inviteeDate: startTime,
    eventLength: 60,
    offsetStart: 0,
    dateRanges,
    minimumBookingNotice: 0,
    frequency: 15,
    datesOutOfOffice: undefined,
    showOptimizedSlots: false,
    datesOutOfOfficeTimeZone: undefined,
  });
}

/** Median microseconds per call over `rounds` rounds of about `roundMs` each, after a warm-up. */
function time(fn: () => unknown, rounds = 7, roundMs = 40): number {
  let calls = 0;
  const warmStart = performance.now();
  while (performance.now() - warmStart < 150 || calls < 3) {
    fn();
    calls++;
  }
  const perCall = (performance.now() - warmStart) / calls;
  const n = Math.max(1, Math.round(roundMs / perCall));
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    samples.push(((performance.now() - t0) / n) * 1000);
  }
  return median(samples);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const GRID: Cell[] = [1, 2, 4].flatMap((hosts) =>
  [10, 50, 200].flatMap((events) => [1, 7, 30].map((days) => ({ hosts, events, days }))),
);

function sameStarts(cell: Cell, ours: number[], theirs: number[]): void {
  const a = [...ours].sort((x, y) => x - y);
  const b = [...theirs].sort((x, y) => x - y);
  const diff = a.length !== b.length || a.some((t, i) => t !== b[i]);
  if (!diff) return;
  const only = (x: number[], y: number[]) =>
    x.filter((t) => !y.includes(t)).map((t) => new Date(t).toISOString());
  console.error(
    `H=${cell.hosts} E=${cell.events} D=${cell.days}: rtseq ${a.length} starts, Cal.com ${b.length}\n` +
      `  only rtseq: ${only(a, b).slice(0, 5).join(' ')}\n  only Cal.com: ${only(b, a).slice(0, 5).join(' ')}`,
  );
  process.exit(1);
}

/**
 * `--profile H,E,D --seconds S`: rtseq alone on one cell, for `node --cpu-prof`. With `--calls N`,
 * exactly N calls instead, for `valgrind --tool=callgrind` (instructions are the same on a busy
 * machine): the cost of the calls is the count at N less the count at 0.
 */
function profile(spec: string): void {
  const [hosts, events, days] = spec.split(',').map(Number) as [number, number, number];
  const { query } = makeInput({ hosts, events, days });
  const exactly = arg('--calls');
  if (exactly !== undefined) {
    for (let i = 0; i < Number(exactly); i++) findAvailability(query);
    return;
  }
  const until = performance.now() + Number(arg('--seconds') ?? 5) * 1000;
  let calls = 0;
  while (performance.now() < until) {
    for (let i = 0; i < 1000; i++) findAvailability(query);
    calls += 1000;
  }
  console.log(`${calls} calls, ${findAvailability(query).length} starts`);
}

async function main(): Promise<void> {
  const spec = arg('--profile');
  if (spec) return profile(spec);
  const dir = arg('--calcom') ?? process.env.CALCOM_DIR;
  if (!dir) {
    console.error('usage: node bench/calcom.ts --calcom DIR (see the comment at the top of this file)');
    process.exit(2);
  }
  const api = await loadCalcom(dir);
  console.log(`first day ${year}-${month}-${day}, ${ZONE}, Node ${process.version}\n`);
  console.log('| H | E | D | starts | rtseq µs | Cal.com µs | ratio |\n|---|---|---|---|---|---|---|');
  const ratios: number[] = [];
  for (const cell of GRID) {
    const input = makeInput(cell);
    const theirs = calcomInput(input);
    const ours = findAvailability(input.query).map((s) => s.start);
    sameStarts(
      cell,
      ours,
      calcomSlots(api, theirs).map((s) => s.time.valueOf()),
    );
    const rtseqUs = time(() => findAvailability(input.query));
    const calcomUs = time(() => calcomSlots(api, theirs));
    const ratio = calcomUs / rtseqUs;
    ratios.push(ratio);
    const f = (us: number) => (us < 100 ? us.toFixed(1) : us.toFixed(0));
    console.log(
      `| ${cell.hosts} | ${cell.events} | ${cell.days} | ${ours.length} | ${f(rtseqUs)} | ${f(calcomUs)} | ${ratio.toFixed(0)}× |`,
    );
  }
  const min = Math.min(...ratios);
  console.log(
    `\nmedian ratio ${median(ratios).toFixed(0)}× (target ≥ 150×), minimum ${min.toFixed(0)}× (target ≥ 100×)`,
  );
  const misses = GRID.filter((_, i) => ratios[i]! < 100).map((c) => `${c.hosts}/${c.events}/${c.days}`);
  console.log(misses.length ? `cells under 100× (H/E/D): ${misses.join(', ')}` : 'every cell ≥ 100×');
}

await main();
