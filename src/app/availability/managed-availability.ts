/**
 * Managed availability of an account (reference 8): weekly availability rules and one-off
 * available periods. Availability queries consult them for members with
 * `managed_availability: true` (app/availability/participants.ts).
 */
import { DomainError, Problems } from '../../domain/errors.ts';
import type { Interval } from '../../domain/time/intervals.ts';
import type { WeeklyPeriod } from '../../domain/time/weekly-rules.ts';
import type { AvailabilityRuleRecord, AvailablePeriodRecord } from '../../ports/store.ts';
import type { AccountCaller } from '../accounts/auth.ts';
import { isLookupId, pickCalendars } from '../calendars/calendars.ts';
import { type PageCursor, type PagedResult, readPage } from '../calendars/paging.ts';
import type { AppContext } from '../context.ts';

export type RuleInput = {
  readonly ruleId: string;
  readonly tzid: string;
  readonly calendarIds: readonly string[] | null;
  readonly weeklyPeriods: readonly WeeklyPeriod[];
};

/** Creates or replaces a rule; every calendar it names must be one of the account's. */
export async function upsertRule(
  ctx: AppContext,
  caller: AccountCaller,
  input: RuleInput,
): Promise<AvailabilityRuleRecord> {
  return ctx.store.transaction(async (repos) => {
    if (input.calendarIds !== null) {
      const problems = new Problems();
      pickCalendars(
        await repos.calendars.byAccount(caller.account.id),
        input.calendarIds,
        'calendar_ids',
        problems,
      );
      problems.throwIfAny();
    }
    const rule: AvailabilityRuleRecord = {
      accountId: caller.account.id,
      ruleId: input.ruleId,
      tzid: input.tzid,
      calendarIds: input.calendarIds,
      weeklyPeriods: input.weeklyPeriods,
    };
    await repos.rules.upsert(rule);
    return rule;
  });
}

export async function listRules(ctx: AppContext, caller: AccountCaller): Promise<AvailabilityRuleRecord[]> {
  return ctx.store.read((repos) => repos.rules.byAccount(caller.account.id));
}

export async function getRule(
  ctx: AppContext,
  caller: AccountCaller,
  ruleId: string,
): Promise<AvailabilityRuleRecord> {
  const rule = isLookupId(ruleId, 64)
    ? await ctx.store.read((repos) => repos.rules.byId(caller.account.id, ruleId))
    : undefined;
  if (rule === undefined) {
    throw new DomainError('not_found', 'No such availability rule', {
      problems: [
        {
          path: 'availability_rule_id',
          code: 'errors.not_found',
          description: 'no availability rule with this id',
        },
      ],
    });
  }
  return rule;
}

/** Idempotent: deleting an unknown rule is not an error. */
export async function deleteRule(ctx: AppContext, caller: AccountCaller, ruleId: string): Promise<void> {
  if (!isLookupId(ruleId, 64)) return;
  await ctx.store.transaction((repos) => repos.rules.delete(caller.account.id, ruleId));
}

export async function upsertPeriod(
  ctx: AppContext,
  caller: AccountCaller,
  input: { readonly periodId: string; readonly startMs: number; readonly endMs: number },
): Promise<void> {
  await ctx.store.transaction((repos) =>
    repos.periods.upsert({
      accountId: caller.account.id,
      periodId: input.periodId,
      startMs: input.startMs,
      endMs: input.endMs,
    }),
  );
}

/** Idempotent: deleting an unknown period is not an error. */
export async function deletePeriod(ctx: AppContext, caller: AccountCaller, periodId: string): Promise<void> {
  await ctx.store.transaction((repos) => repos.periods.delete(caller.account.id, periodId));
}

/** `{"delete_all": true}`: every stored period of the account (PHP's bulkDeleteAvailablePeriods). */
export async function deleteAllPeriods(ctx: AppContext, caller: AccountCaller): Promise<void> {
  await ctx.store.transaction((repos) => repos.periods.deleteAll(caller.account.id));
}

/** One page of the account's available periods overlapping the window (all when null), by start. */
export async function readPeriods(
  ctx: AppContext,
  caller: AccountCaller,
  window: Interval | null,
  cursor: PageCursor,
  pageSize: number,
): Promise<PagedResult<AvailablePeriodRecord>> {
  return ctx.store.read((repos) =>
    readPage(cursor, pageSize, (offset, limit) =>
      repos.periods.page(caller.account.id, window, offset, limit),
    ),
  );
}
