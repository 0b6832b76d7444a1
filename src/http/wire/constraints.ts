/**
 * Event `tags` (SPEC 7) and members' `availability_constraints` (SPEC 5.1), read defensively with
 * every problem at its dotted path.
 */
import { type AvailabilityConstraint, CONSTRAINT_PERIODS } from '../../domain/engine/constraints.ts';
import type { Problems } from '../../domain/errors.ts';
import { child, isAbsent, readArray, readInteger, readObject, readString, readTimeZone } from './reader.ts';

/** At most this many tag values per event (SPEC 7). */
export const TAGS_MAX = 10;
/** At most this many characters per tag value (SPEC 7). */
export const TAG_VALUE_MAX = 64;
/** At most this many constraints per member (SPEC 5.1). */
export const CONSTRAINTS_MAX = 5;
/** A constraint's `limit` is a whole number from 1 to this. */
const LIMIT_MAX = 10_000;

/**
 * `{"private": [{"value": "…"}, …]}`: the tag values (duplicates kept once, in order), `[]` for an
 * empty list, undefined when absent or invalid.
 */
export function readTags(value: unknown, path: string, problems: Problems): string[] | undefined {
  const object = readObject(value, path, problems, false);
  if (object === undefined) return undefined;
  const listPath = child(path, 'private');
  const list = readArray(object.private, listPath, problems, { required: true, max: TAGS_MAX });
  if (list === undefined) return undefined;
  const values: string[] = [];
  let valid = true;
  list.forEach((item, i) => {
    const itemPath = child(listPath, i);
    const entry = readObject(item, itemPath, problems, true);
    const text =
      entry === undefined
        ? undefined
        : readString(entry.value, child(itemPath, 'value'), problems, {
            required: true,
            min: 1,
            max: TAG_VALUE_MAX,
          });
    if (text === undefined) valid = false;
    else if (!values.includes(text)) values.push(text);
  });
  return valid ? values : undefined;
}

/** The wire form of tag values, as events and templates carry them. */
export function tagsToWire(values: readonly string[]): { private: { value: string }[] } {
  return { private: values.map((value) => ({ value })) };
}

/** A member's `availability_constraints`: 1 to 5 items; undefined when absent or invalid. */
export function readConstraints(
  value: unknown,
  path: string,
  problems: Problems,
): AvailabilityConstraint[] | undefined {
  if (isAbsent(value)) return undefined;
  const list = readArray(value, path, problems, { required: false, min: 1, max: CONSTRAINTS_MAX });
  if (list === undefined) return undefined;
  const out: AvailabilityConstraint[] = [];
  let valid = list.length >= 1;
  list.forEach((item, i) => {
    const itemPath = child(path, i);
    const object = readObject(item, itemPath, problems, true);
    if (object === undefined) {
      valid = false;
      return;
    }
    const limit = readInteger(object.limit, child(itemPath, 'limit'), problems, {
      required: true,
      min: 1,
      max: LIMIT_MAX,
    });
    const periodPath = child(itemPath, 'period');
    let period: AvailabilityConstraint['period'] | undefined;
    if (isAbsent(object.period)) problems.add(periodPath, 'errors.required', `${periodPath} is required`);
    else {
      period = CONSTRAINT_PERIODS.find((p) => p === object.period);
      if (period === undefined) {
        problems.add(
          periodPath,
          'errors.invalid_value',
          `${periodPath} must be one of "day", "week", "month"`,
        );
      }
    }
    const tzidPath = child(itemPath, 'tzid');
    const tzid = isAbsent(object.tzid) ? 'Etc/UTC' : readTimeZone(object.tzid, tzidPath, problems, true);
    const tags = isAbsent(object.tags) ? null : readTags(object.tags, child(itemPath, 'tags'), problems);
    if (limit === undefined || period === undefined || tzid === undefined || tags === undefined) {
      valid = false;
      return;
    }
    out.push({ limit, period, tzid, tags: tags === null || tags.length === 0 ? null : tags });
  });
  return valid ? out : undefined;
}
