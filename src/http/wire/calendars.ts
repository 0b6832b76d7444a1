/** Body reader of `POST /v1/calendars`. */
import type { Problems } from '../../domain/errors.ts';
import { hasControl, readColor, readId } from './fields.ts';
import { type Json, readString } from './reader.ts';

/** `POST /v1/calendars` (reference 7.5). */
export function readCalendarCreate(
  body: Json,
  problems: Problems,
): { profileId: string; name: string; color: string | null } | undefined {
  const profileId = readId(body.profile_id, 'profile_id', problems, 200);
  const name = readString(body.name, 'name', problems, { required: true, min: 1, max: 200 });
  if (name !== undefined && hasControl(name)) {
    problems.add('name', 'errors.invalid_format', 'name must not contain control characters');
  }
  const color = readColor(body.color, 'color', problems);
  if (profileId === undefined || name === undefined || hasControl(name)) return undefined;
  return { profileId, name, color: color ?? null };
}
