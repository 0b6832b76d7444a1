/**
 * Reading `POST /v1/real_time_sequencing` and `POST /v1/real_time_scheduling` bodies (SPEC 6.1,
 * 6.6) into a LinkRequest, reporting every problem at once.
 */

import type { SequenceRequest } from '../../app/availability/availability.ts';
import {
  DEFAULT_INVITEE_ACTION_CUTOFF_MINUTES,
  type LinkOrganizer,
  type LinkRequest,
  type TargetCalendar,
} from '../../app/links/link-model.ts';
import type { LinkPaths } from '../../app/links/links.ts';
import type { Limits } from '../../config/config.ts';
import { isEmailAddress } from '../../domain/email.ts';
import type { Problems } from '../../domain/errors.ts';
import type { LinkKind } from '../../ports/store.ts';
import { readAvailabilityQuery, readSequenceQuery } from './availability.ts';
import { readTags, tagsToWire } from './constraints.ts';
import {
  child,
  isAbsent,
  isObject,
  type Json,
  readArray,
  readBoolean,
  readDuration,
  readEnum,
  readObject,
  readString,
  readTimeZone,
  readUrl,
} from './reader.ts';

/** Fields an event template may not carry in Real-Time Sequencing (SPEC 6.1). */
const UNSUPPORTED_EVENT_FIELDS = ['start', 'end', 'attendees'] as const;

/**
 * The upsert-event fields (SPEC 7, `POST /v1/calendars/{id}/events`) a template may carry; every
 * other field is dropped, never stored or copied into booked events (SPEC 4 and 9).
 */
const TEMPLATE_FIELDS = new Set([
  'event_id',
  'summary',
  'description',
  'tzid',
  'location',
  'url',
  'reminders',
  'reminders_create_only',
  'transparency',
  'status',
  'color',
  'event_private',
  'tags',
]);

function readEventTemplate(
  value: unknown,
  path: string,
  problems: Problems,
  topLevel: boolean,
  maxBytes: number,
): Json | undefined {
  const event = readObject(value, path, problems, topLevel);
  if (event === undefined) return undefined;
  // Depth is bounded for the whole body by the JSON parser (http/abuse.ts, SPEC 4).
  const bytes = Buffer.byteLength(JSON.stringify(event), 'utf8');
  if (bytes > maxBytes) {
    problems.add(
      path,
      'errors.too_large',
      `${path} is ${bytes} bytes of JSON; at most ${maxBytes} are allowed`,
    );
    return undefined;
  }
  readString(event.event_id, child(path, 'event_id'), problems, { required: topLevel, min: 1, max: 1024 });
  readString(event.summary, child(path, 'summary'), problems, { required: topLevel, min: 1, max: 1024 });
  readString(event.description, child(path, 'description'), problems, { required: false, max: 4096 });
  readTimeZone(event.tzid, child(path, 'tzid'), problems, false);
  readEnum(event.transparency, child(path, 'transparency'), problems, ['opaque', 'transparent']);
  if (!isAbsent(event.url)) readUrl(event.url, child(path, 'url'), problems, false);
  // Tags are kept in their normalised wire form (each value once), as the Events API stores them.
  const tags = readTags(event.tags, child(path, 'tags'), problems);
  for (const field of UNSUPPORTED_EVENT_FIELDS) {
    if (!isAbsent(event[field])) {
      problems.add(
        child(path, field),
        'errors.not_supported',
        `${field} is not supported in Real-Time Sequencing`,
      );
    }
  }
  // null means absent and unknown fields are ignored (SPEC 4): keep only upsert fields given.
  const kept = Object.fromEntries(
    Object.entries(event).filter(([k, v]) => v !== null && TEMPLATE_FIELDS.has(k)),
  );
  if (tags !== undefined) kept.tags = tagsToWire(tags);
  return kept;
}

function readTargets(value: unknown, problems: Problems): TargetCalendar[] {
  const list = readArray(value, 'target_calendars', problems, { required: false, max: 200 }) ?? [];
  const targets: TargetCalendar[] = [];
  list.forEach((item, i) => {
    const path = child('target_calendars', i);
    const object = readObject(item, path, problems, true);
    if (object === undefined) return;
    const sub = readString(object.sub, child(path, 'sub'), problems, { required: true, min: 1, max: 128 });
    const calendarId = readString(object.calendar_id, child(path, 'calendar_id'), problems, {
      required: true,
      min: 1,
      max: 128,
    });
    if (sub !== undefined && calendarId !== undefined) targets.push({ sub, calendarId });
  });
  return targets;
}

function readHourFormat(formatting: unknown, problems: Problems): 'h' | 'H' | null {
  const object = readObject(formatting, 'formatting', problems, false);
  if (object === undefined || isAbsent(object.hour_format)) return null;
  // "h"/"H" per the docs; the PHP SDK's tests send "12"/"24".
  const aliases: Record<string, 'h' | 'H'> = { h: 'h', H: 'H', '12': 'h', '24': 'H' };
  const format = typeof object.hour_format === 'string' ? aliases[object.hour_format] : undefined;
  if (format === undefined) {
    problems.add(
      'formatting.hour_format',
      'errors.invalid_value',
      'formatting.hour_format must be "h" or "H"',
    );
  }
  return format ?? null;
}

/** rtseq extension `locale`: a well-formed BCP 47 tag, stored in canonical form. */
function readLocale(value: unknown, problems: Problems): string | null {
  const tag = readString(value, 'locale', problems, { required: false, min: 1, max: 35 });
  if (tag === undefined) return null;
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null;
  } catch {
    problems.add(
      'locale',
      'errors.invalid_value',
      'locale must be a BCP 47 language tag such as "de" or "en-GB"',
    );
    return null;
  }
}

/** rtseq extension `organizer`: `{name, email}`, either optional, shown on every page. */
function readOrganizer(value: unknown, problems: Problems): LinkOrganizer | null {
  const object = readObject(value, 'organizer', problems, false);
  if (object === undefined) return null;
  const name = readString(object.name, 'organizer.name', problems, { required: false, min: 1, max: 200 });
  const email = readString(object.email, 'organizer.email', problems, { required: false, min: 3, max: 254 });
  if (email !== undefined && !isEmailAddress(email)) {
    problems.add(
      'organizer.email',
      'errors.invalid_value',
      'organizer.email must be a plain e-mail address such as name@example.com (letters, digits and . _ + - before the @; no ?, &, spaces or quotes)',
    );
  }
  if (name === undefined && email === undefined) return null;
  return { name: name ?? null, email: email ?? null };
}

/** `invitee_actions` and `invitee_action_cutoff` (SPEC 6.6): both actions off and 24 hours by default. */
function readInviteeActions(
  body: Json,
  problems: Problems,
): Pick<LinkRequest, 'inviteeActions' | 'inviteeActionCutoffMinutes'> {
  const actions = readObject(body.invitee_actions, 'invitee_actions', problems, false);
  const reschedule =
    actions === undefined
      ? undefined
      : readBoolean(actions.reschedule, 'invitee_actions.reschedule', problems);
  const cancel =
    actions === undefined ? undefined : readBoolean(actions.cancel, 'invitee_actions.cancel', problems);
  const cutoff = readDuration(body.invitee_action_cutoff, 'invitee_action_cutoff', problems, {
    required: false,
    min: 0,
  });
  return {
    inviteeActions: { reschedule: reschedule ?? false, cancel: cancel ?? false },
    inviteeActionCutoffMinutes: cutoff ?? DEFAULT_INVITEE_ACTION_CUTOFF_MINUTES,
  };
}

export function readLinkRequest(
  kind: LinkKind,
  body: Json,
  problems: Problems,
  limits: Limits,
  now: number,
): { request: LinkRequest; paths: LinkPaths } {
  const oauth = readObject(body.oauth, 'oauth', problems, true);
  const redirectUri =
    oauth === undefined ? undefined : readUrl(oauth.redirect_uri, 'oauth.redirect_uri', problems, true);
  const state =
    oauth === undefined
      ? undefined
      : readString(oauth.state, 'oauth.state', problems, { required: false, max: 4096 });
  const event = readEventTemplate(body.event, 'event', problems, true, limits.templateBytes);

  const tzid =
    readTimeZone(body.tzid, 'tzid', problems, false) ??
    (typeof event?.tzid === 'string' ? readTimeZone(event.tzid, 'event.tzid', problems, false) : undefined) ??
    null;
  const minimumNoticeMinutes =
    readDuration(body.minimum_notice, 'minimum_notice', problems, { required: false, min: 0 }) ?? 0;

  // `availablity` is a known SDK typo (C#) for `availability` (SPEC 4).
  const availabilityKey =
    isAbsent(body.availability) && !isAbsent(body.availablity) ? 'availablity' : 'availability';
  const availability = readObject(body[availabilityKey], availabilityKey, problems, true) ?? {};

  let sequence: SequenceRequest;
  if (kind === 'sequencing') {
    sequence = readSequenceQuery(availability, availabilityKey, problems, limits, now, {
      tzid,
      minimumNoticeMinutes,
      maxResults: limits.maxResults,
    });
    // Each step's template as kept (upsert fields only), by the object the step was read from.
    const kept = new Map<unknown, Json | null>();
    if (Array.isArray(availability.sequence)) {
      availability.sequence.forEach((item, i) => {
        if (isObject(item) && isObject(item.event)) {
          const path = child(child(`${availabilityKey}.sequence`, i), 'event');
          kept.set(
            item.event,
            readEventTemplate(item.event, path, problems, false, limits.templateBytes) ?? null,
          );
        }
      });
    }
    sequence = {
      ...sequence,
      steps: sequence.steps.map((step) =>
        kept.has(step.event) ? { ...step, event: kept.get(step.event)! } : step,
      ),
    };
  } else {
    const query = readAvailabilityQuery(availability, availabilityKey, problems, limits, now, {
      tzid,
      minimumNoticeMinutes,
    });
    sequence = {
      steps: [
        {
          path: availabilityKey,
          sequenceId: 'default',
          ordinal: null,
          groups: query.groups,
          durationMinutes: query.durationMinutes,
          startIntervalMinutes: query.startIntervalMinutes,
          before: { minMinutes: query.bufferBeforeMinutes, maxMinutes: null },
          after: { minMinutes: query.bufferAfterMinutes, maxMinutes: null },
          stepPeriods: null,
          event: null,
        },
      ],
      queryPeriods: query.queryPeriods,
      tzid,
      minimumNoticeMinutes,
      maxResults: limits.maxResults,
    };
  }

  // SPEC 6.1: a link that could only ever be expired is refused, not created expired.
  const periods = sequence.queryPeriods;
  if (periods.length > 0 && Math.max(...periods.map((p) => p.end)) <= now) {
    problems.add(
      `${availabilityKey}.query_periods`,
      'errors.in_the_past',
      `every query period has already ended: at least one must end in the future`,
    );
  }

  const callbackUrls = readObject(body.callback_urls, 'callback_urls', problems, false);
  const legacyCallback = readUrl(body.callback_url, 'callback_url', problems, false);
  const completedCallback =
    (callbackUrls === undefined
      ? undefined
      : readUrl(callbackUrls.completed_url, 'callback_urls.completed_url', problems, false)) ??
    legacyCallback;
  const noTimesSuitable =
    callbackUrls === undefined
      ? undefined
      : readUrl(callbackUrls.no_times_suitable_url, 'callback_urls.no_times_suitable_url', problems, false);
  const redirectUrls = readObject(body.redirect_urls, 'redirect_urls', problems, false);
  const redirectCompleted =
    redirectUrls === undefined
      ? undefined
      : readUrl(redirectUrls.completed_url, 'redirect_urls.completed_url', problems, false);
  const selectionMode =
    readEnum(body.selection_mode, 'selection_mode', problems, ['no_confirm', 'confirm'] as const) ??
    'no_confirm';

  const request: LinkRequest = {
    kind,
    redirectUri: redirectUri ?? 'https://invalid.example',
    state: state ?? null,
    event: event ?? {},
    sequence,
    targetCalendars: readTargets(body.target_calendars, problems),
    completedCallbackUrl: completedCallback ?? null,
    noTimesSuitableUrl: noTimesSuitable ?? null,
    redirectCompletedUrl: redirectCompleted ?? null,
    selectionMode,
    hourFormat: readHourFormat(body.formatting, problems),
    locale: readLocale(body.locale, problems),
    organizer: readOrganizer(body.organizer, problems),
    ...readInviteeActions(body, problems),
  };
  const completedCallbackPath =
    callbackUrls !== undefined && !isAbsent(callbackUrls.completed_url)
      ? 'callback_urls.completed_url'
      : 'callback_url';
  return {
    request,
    paths: {
      targets: 'target_calendars',
      steps: `${availabilityKey}.sequence`,
      completedCallback: completedCallbackPath,
    },
  };
}
