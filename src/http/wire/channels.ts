/** Body reader of `POST /v1/channels` (SPEC 8d). */
import type { ChannelCreate } from '../../app/channels/channels.ts';
import type { Problems } from '../../domain/errors.ts';
import type { ChannelFilters } from '../../ports/channels.ts';
import { CALENDAR_IDS_MAX, readId } from './fields.ts';
import { child, type Json, readArray, readBoolean, readObject, readUrl } from './reader.ts';

/**
 * `{"callback_url", "filters"?: {"calendar_ids"?, "only_managed"?}}`. The filters keep only the
 * keys rtseq knows, as sent (Cronofy echoes them: `{}` when none were given); unknown ones are
 * ignored (SPEC 4).
 */
export function readChannelCreate(body: Json, problems: Problems): ChannelCreate | undefined {
  const callbackUrl = readUrl(body.callback_url, 'callback_url', problems, true);
  const filters = readObject(body.filters, 'filters', problems, false) ?? {};
  const idList = readArray(filters.calendar_ids, 'filters.calendar_ids', problems, {
    required: false,
    min: 1,
    max: CALENDAR_IDS_MAX,
  });
  const calendarIds: string[] = [];
  idList?.forEach((item, i) => {
    const id = readId(item, child('filters.calendar_ids', i), problems, 200);
    if (id !== undefined) calendarIds.push(id);
  });
  const onlyManaged = readBoolean(filters.only_managed, 'filters.only_managed', problems);
  if (callbackUrl === undefined) return undefined;
  const known: ChannelFilters = {
    ...(idList === undefined ? {} : { calendar_ids: calendarIds }),
    ...(onlyManaged === undefined ? {} : { only_managed: onlyManaged }),
  };
  return { callbackUrl, filters: known };
}
