/**
 * An account's calendars (SPEC 7): list them, create native ones, and resolve the calendars a
 * request names, always within the calling account (another account's calendar is unknown).
 */
import { DomainError, Problems } from '../../domain/errors.ts';
import type { CalendarRecord, Repos } from '../../ports/store.ts';
import type { AccountCaller } from '../accounts/auth.ts';
import type { AppContext } from '../context.ts';

export type NewCalendar = {
  readonly profileId: string;
  readonly name: string;
  readonly color: string | null;
};

/** The account's calendars: the primary one first, then by creation, then by name. */
export async function listCalendars(ctx: AppContext, caller: AccountCaller): Promise<CalendarRecord[]> {
  const calendars = await ctx.store.read((repos) => repos.calendars.byAccount(caller.account.id));
  return calendars.sort(
    (a, b) =>
      Number(b.primary) - Number(a.primary) || a.createdAt - b.createdAt || a.name.localeCompare(b.name),
  );
}

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * Creates a native calendar in the account's one profile. It takes the time zone of the
 * account's primary calendar (all-day events are placed in it). Names are unique per account,
 * compared without case and surrounding spaces.
 */
export async function createCalendar(
  ctx: AppContext,
  caller: AccountCaller,
  input: NewCalendar,
): Promise<CalendarRecord> {
  return ctx.store.transaction(async (repos) => {
    const problems = new Problems();
    if (input.profileId !== caller.account.profileId) {
      problems.add(
        'profile_id',
        'errors.unknown_profile',
        `${input.profileId} is not a profile of this account`,
      );
    }
    const existing = await repos.calendars.byAccount(caller.account.id);
    if (existing.some((c) => !c.deleted && sameName(c.name, input.name))) {
      problems.add('name', 'errors.duplicate_calendar_name', 'a calendar with this name already exists');
    }
    problems.throwIfAny();
    const primary = existing.find((c) => c.primary) ?? existing[0];
    const calendar: CalendarRecord = {
      id: ctx.ids.newId('cal'),
      accountId: caller.account.id,
      name: input.name.trim(),
      kind: 'native',
      readOnly: false,
      primary: false,
      deleted: false,
      tzid: primary?.tzid ?? 'Etc/UTC',
      color: input.color,
      sourceSealed: null,
      version: 0,
      createdAt: ctx.clock.now(),
    };
    await repos.calendars.insert(calendar);
    return calendar;
  });
}

/**
 * Whether an id from a path can name anything: not empty, not too long, no NUL (which PostgreSQL
 * text cannot even compare). Anything else is simply unknown, without a query.
 */
export function isLookupId(id: string, max: number): boolean {
  return id.length > 0 && id.length <= max && !id.includes('\u0000');
}

/** The calendar named in a path, if it is one of the caller's; otherwise 404 (SPEC 3). */
export async function ownCalendar(
  repos: Repos,
  caller: AccountCaller,
  calendarId: string,
): Promise<CalendarRecord> {
  const calendar = isLookupId(calendarId, 200) ? await repos.calendars.byId(calendarId) : undefined;
  if (calendar === undefined || calendar.accountId !== caller.account.id) {
    throw new DomainError('not_found', 'No such calendar', {
      problems: [
        {
          path: 'calendar_id',
          code: 'errors.not_found',
          description: `${calendarId.slice(0, 200)} was not found`,
        },
      ],
    });
  }
  return calendar;
}

/**
 * The caller's calendars among `ids` (in order), or all of them when `ids` is null. Every id that
 * is not one of the caller's is a problem at `path[i]`.
 */
export function pickCalendars(
  all: readonly CalendarRecord[],
  ids: readonly string[] | null,
  path: string,
  problems: Problems,
): CalendarRecord[] {
  if (ids === null) return [...all];
  const byId = new Map(all.map((c) => [c.id, c]));
  const picked: CalendarRecord[] = [];
  ids.forEach((id, i) => {
    const calendar = byId.get(id);
    if (calendar === undefined) {
      problems.add(
        `${path}[${i}]`,
        'errors.unknown_calendar',
        `${id.slice(0, 200)} is not a calendar of this account`,
      );
    } else if (!picked.includes(calendar)) {
      picked.push(calendar);
    }
  });
  return picked;
}
