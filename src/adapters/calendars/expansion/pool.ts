/**
 * Parsing and expansion of external calendars off the event loop (SPEC 8, 9): a small fixed pool
 * of worker threads running expansion.ts, one source read per job, admitted and ordered like the
 * engine's jobs (adapters/admission.ts). A job that waits and runs over COMPUTE_BUDGET_MS is stopped by terminating its worker, which is replaced; the read
 * then fails with 'over_budget' and its member is unavailable for that request, as for a source
 * over the 20,000 cap. Workers start with the first job and are kept (a worker loads ical.js,
 * tsdav and the expander once; start-up never counts against a budget).
 *
 * The pool mechanics are shared with the engine's pool (adapters/worker-pool.ts); the workers are
 * separate on purpose: docs/external-calendars.md, "Parsing off the event loop".
 */
import type { Interval } from '../../../domain/time/intervals.ts';
import { type BudgetedPoolOptions, BudgetedWorkerPool } from '../../worker-pool.ts';
import { ExternalCalendarError } from '../errors.ts';
import type { CalendarExpander, Expansion, ExpansionRequest } from './expansion.ts';
import type { ExpansionReply } from './worker.ts';

export type ExpansionPoolOptions = BudgetedPoolOptions;

export class ExpansionPool
  extends BudgetedWorkerPool<ExpansionRequest, ExpansionReply, Expansion>
  implements CalendarExpander
{
  constructor(options: ExpansionPoolOptions) {
    super(options, {
      file: new URL('./worker.ts', import.meta.url),
      closedMessage: 'the expansion pool is closed',
      transfer: () => [],
      settle: (reply) =>
        reply.ok
          ? { ok: true, result: { busy: intervalsOf(reply.bounds), ignored: reply.ignored } }
          : { ok: false, error: new ExternalCalendarError(reply.code, reply.message) },
      overBudget,
      // Too many reads waiting: the member is unavailable for this request, as for a slow source.
      busy: () =>
        new ExternalCalendarError(
          'over_budget',
          'too many calendar reads are waiting; the source was not read',
        ),
      workerLost: () => failed('the calendar data could not be read'),
    });
  }

  expand(request: ExpansionRequest): Promise<Expansion> {
    return this.run(request);
  }
}

function intervalsOf(bounds: Float64Array): Interval[] {
  const busy: Interval[] = new Array(bounds.length / 2);
  for (let i = 0; i < busy.length; i += 1) busy[i] = { start: bounds[2 * i]!, end: bounds[2 * i + 1]! };
  return busy;
}

function overBudget(budgetMs: number): ExternalCalendarError {
  return new ExternalCalendarError(
    'over_budget',
    `reading the calendar data took longer than the budget of ${budgetMs} ms and was stopped`,
  );
}

function failed(message: string): ExternalCalendarError {
  return new ExternalCalendarError('parse_failed', message);
}
