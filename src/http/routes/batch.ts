/**
 * `POST /v1/batch` (SPEC 7): up to 50 event upserts and deletes (and available-period writes, which
 * PHP's client batches too) of the calling account. Each entry is answered exactly as the single
 * call would have been, independently of the others. The batch is authenticated once, for all its
 * entries. Consecutive event upserts into native calendars are written together, in one
 * transaction (upsertEvents: a refused one does not stop the others); every other entry, and an
 * upsert that is refused, runs as its single call inside this server, which answers it as it would
 * on its own.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AccountCaller } from '../../app/accounts/auth.ts';
import { type EventWrite, upsertEvents } from '../../app/calendars/events.ts';
import { Problems } from '../../domain/errors.ts';
import { accountCaller, BATCH_ENTRY_HEADER, bearerOf, type HttpDeps, jsonBody } from '../request.ts';
import { ACCOUNT_AUTH, CRONOFY, ERRORS } from '../schemas.ts';
import { readEventUpsert } from '../wire/events.ts';
import { child, isAbsent, isObject, type Json, readArray, readEnum, readString } from '../wire/reader.ts';

const BATCH_MAX = 50;
/** The single calls a batch may hold: events of one calendar and available periods. */
const ENTRY_URL = /^\/v1\/(calendars\/[^/?#]+\/events|available_periods)$/;

type Entry = { method: 'POST' | 'DELETE'; url: string; data: Json };

function readEntries(body: Json, problems: Problems): Entry[] {
  const list = readArray(body.batch, 'batch', problems, { required: true, min: 1, max: BATCH_MAX });
  const entries: Entry[] = [];
  list?.forEach((item, i) => {
    const path = child('batch', i);
    if (!isObject(item)) {
      problems.add(path, 'errors.invalid_type', `${path} must be an object`);
      return;
    }
    const method = readEnum(
      typeof item.method === 'string' ? item.method.toUpperCase() : item.method,
      child(path, 'method'),
      problems,
      ['POST', 'DELETE'] as const,
      true,
    );
    const url = readString(item.relative_url, child(path, 'relative_url'), problems, {
      required: true,
      max: 512,
    });
    if (url !== undefined && !ENTRY_URL.test(url)) {
      problems.add(
        child(path, 'relative_url'),
        'errors.invalid_value',
        `${path}.relative_url must be /v1/calendars/{calendar_id}/events or /v1/available_periods`,
      );
    }
    if (!isAbsent(item.data) && !isObject(item.data)) {
      problems.add(child(path, 'data'), 'errors.invalid_type', `${path}.data must be an object`);
    }
    if (method !== undefined && url !== undefined && ENTRY_URL.test(url)) {
      entries.push({ method, url, data: isObject(item.data) ? item.data : {} });
    }
  });
  return entries;
}

export function registerBatchRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post(
    '/v1/batch',
    {
      schema: {
        summary: 'Run up to 50 event (or available period) writes of the account; 207 with one answer each',
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        body: Type.Object(
          {
            batch: Type.Array(
              Type.Object(
                { method: Type.String(), relative_url: Type.String(), data: Type.Optional(Type.Object({})) },
                { additionalProperties: true },
              ),
              { maxItems: BATCH_MAX },
            ),
          },
          { additionalProperties: true },
        ),
        response: {
          207: Type.Object({
            batch: Type.Array(
              Type.Object({
                status: Type.Integer(),
                headers: Type.Optional(Type.Record(Type.String(), Type.String())),
                data: Type.Optional(Type.Unknown()),
              }),
            ),
          }),
          ...ERRORS,
        },
      },
    },
    async (request, reply) => {
      const caller = await accountCaller(deps, request);
      const problems = new Problems();
      const entries = readEntries(jsonBody(request), problems);
      problems.throwIfAny();
      const authorization = `Bearer ${bearerOf(request)}`;
      // Entries run as the batch's client: its address (for the failed-authentication limit) and
      // one request against its application's rate limit, already counted above.
      const marker = randomBytes(18).toString('base64url');
      const single = (entry: Entry) => runEntry(app, request.ip, marker, authorization, entry);
      deps.batchEntries.add(marker);
      const answers: Json[] = [];
      try {
        for (let i = 0; i < entries.length; ) {
          const upserts = upsertsFrom(entries, i);
          if (upserts.length === 0) {
            answers.push(await single(entries[i]!));
            i++;
          } else {
            answers.push(...(await runUpserts(deps, caller, upserts, single)));
            i += upserts.length;
          }
        }
      } finally {
        deps.batchEntries.delete(marker);
      }
      return reply.code(207).send({ batch: answers });
    },
  );
}

/** An event upsert entry, with the calendar id its URL names (a plain id: nothing to decode). */
type Upsert = { readonly entry: Entry; readonly calendarId: string };

const UPSERT_URL = /^\/v1\/calendars\/([A-Za-z0-9_.~-]+)\/events$/;

/** The run of consecutive event upserts starting at `from` (none when that entry is something else). */
function upsertsFrom(entries: readonly Entry[], from: number): Upsert[] {
  const run: Upsert[] = [];
  for (const entry of entries.slice(from)) {
    const match = entry.method === 'POST' ? UPSERT_URL.exec(entry.url) : null;
    if (match === null) break;
    run.push({ entry, calendarId: match[1]! });
  }
  return run;
}

/**
 * Consecutive upserts: those the wire reader accepts are written together (upsertEvents) and
 * answered 202 with no body, as the single call answers; an entry the reader or the write refuses,
 * or one into a Google or Microsoft 365 calendar (nothing of it written), runs as its single call.
 * Should the shared write fail as a whole (the database), every entry runs as its single call.
 */
async function runUpserts(
  deps: HttpDeps,
  caller: AccountCaller,
  upserts: readonly Upsert[],
  single: (entry: Entry) => Promise<Json>,
): Promise<Json[]> {
  const writes: (EventWrite | undefined)[] = upserts.map(({ entry, calendarId }) => {
    const problems = new Problems();
    const input = readEventUpsert(entry.data, problems);
    return problems.isEmpty && input !== undefined ? { calendarId, input } : undefined;
  });
  const accepted = writes.filter((w) => w !== undefined);
  let stored: boolean[];
  try {
    stored = accepted.length === 0 ? [] : await upsertEvents(deps.ctx, caller, accepted);
  } catch {
    const answers: Json[] = [];
    for (const { entry } of upserts) answers.push(await single(entry));
    return answers;
  }
  const answers: Json[] = [];
  let next = 0;
  for (const [i, { entry }] of upserts.entries()) {
    const written = writes[i] !== undefined && stored[next++] === true;
    answers.push(written ? { status: 202 } : await single(entry));
  }
  return answers;
}

async function runEntry(
  app: FastifyInstance,
  ip: string,
  marker: string,
  authorization: string,
  entry: Entry,
): Promise<Json> {
  const res = await app.inject({
    method: entry.method,
    url: entry.url,
    remoteAddress: ip,
    headers: { authorization, 'content-type': 'application/json', [BATCH_ENTRY_HEADER]: marker },
    payload: JSON.stringify(entry.data),
  });
  const answer: Json = { status: res.statusCode };
  if (res.body !== '') {
    answer.headers = { 'Content-Type': 'application/json; charset=utf-8' };
    try {
      answer.data = JSON.parse(res.body);
    } catch {
      answer.data = res.body;
    }
  }
  return answer;
}
