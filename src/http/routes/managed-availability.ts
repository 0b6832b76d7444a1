import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  deleteAllPeriods,
  deletePeriod,
  deleteRule,
  getRule,
  listRules,
  readPeriods,
  upsertPeriod,
  upsertRule,
} from '../../app/availability/managed-availability.ts';
import { Problems } from '../../domain/errors.ts';
import { accepted, accountCaller, type HttpDeps, jsonBody } from '../request.ts';
import { ACCOUNT_AUTH, CRONOFY, ERRORS, ErrorResponse, UtcTime } from '../schemas.ts';
import { periodToWire, ruleToWire } from '../wire/output.ts';
import { readAvailablePeriodsQuery } from '../wire/queries.ts';
import { isAbsent, readBoolean } from '../wire/reader.ts';
import { readAsciiId, readPeriod, readRule } from '../wire/rules.ts';
import { registerPagedRead } from './events.ts';

const open = { additionalProperties: true } as const;
const ACCEPTED = Type.Null({ description: 'accepted; no body' });
const Day = Type.Union(
  ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'].map((d) => Type.Literal(d)),
);
const Clock = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$',
  description: 'HH:MM, 24-hour',
});

const Rule = Type.Object({
  availability_rule_id: Type.String({ maxLength: 64 }),
  tzid: Type.String(),
  calendar_ids: Type.Optional(Type.Array(Type.String(), { minItems: 1 })),
  weekly_periods: Type.Array(Type.Object({ day: Day, start_time: Clock, end_time: Clock }), { minItems: 1 }),
});

const PeriodTime = Type.Union([
  UtcTime,
  Type.Object({ time: UtcTime, tzid: Type.Optional(Type.String()) }, open),
]);

const Period = Type.Object({
  available_period_id: Type.String(),
  start: Type.String({ description: 'UTC time (offset with localized_times)' }),
  end: Type.String(),
});

function ruleIdOf(request: FastifyRequest): string {
  return (request.params as { availability_rule_id: string }).availability_rule_id;
}

export function registerManagedAvailabilityRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post(
    '/v1/availability_rules',
    {
      schema: {
        summary: 'Create or replace an availability rule (weekly hours)',
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        body: Type.Object(Rule.properties, open),
        response: { 200: Type.Object({ availability_rule: Rule }), ...ERRORS },
      },
    },
    async (request) => {
      const caller = await accountCaller(deps, request);
      const problems = new Problems();
      const input = readRule(jsonBody(request), problems);
      problems.throwIfAny();
      return { availability_rule: ruleToWire(await upsertRule(deps.ctx, caller, input!)) };
    },
  );

  app.get(
    '/v1/availability_rules',
    {
      schema: {
        summary: "The account's availability rules",
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        response: { 200: Type.Object({ availability_rules: Type.Array(Rule) }), ...ERRORS },
      },
    },
    async (request) => {
      const caller = await accountCaller(deps, request);
      return { availability_rules: (await listRules(deps.ctx, caller)).map(ruleToWire) };
    },
  );

  app.get(
    '/v1/availability_rules/:availability_rule_id',
    {
      schema: {
        summary: 'One availability rule',
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        response: {
          200: Type.Object({ availability_rule: Rule }),
          404: { ...ErrorResponse, description: 'no such rule' },
          ...ERRORS,
        },
      },
    },
    async (request) => {
      const caller = await accountCaller(deps, request);
      return { availability_rule: ruleToWire(await getRule(deps.ctx, caller, ruleIdOf(request))) };
    },
  );

  app.delete(
    '/v1/availability_rules/:availability_rule_id',
    {
      schema: {
        summary: 'Delete an availability rule (202; an unknown id is accepted too)',
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        response: { 202: ACCEPTED, ...ERRORS },
      },
    },
    async (request, reply) => {
      const caller = await accountCaller(deps, request);
      await deleteRule(deps.ctx, caller, ruleIdOf(request));
      return accepted(reply);
    },
  );

  app.post(
    '/v1/available_periods',
    {
      schema: {
        summary: 'Create or replace an available period (202, no body)',
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        body: Type.Object(
          { available_period_id: Type.String({ maxLength: 64 }), start: PeriodTime, end: PeriodTime },
          open,
        ),
        response: { 202: ACCEPTED, ...ERRORS },
      },
    },
    async (request, reply) => {
      const caller = await accountCaller(deps, request);
      const problems = new Problems();
      const input = readPeriod(jsonBody(request), problems);
      problems.throwIfAny();
      await upsertPeriod(deps.ctx, caller, input!);
      return accepted(reply);
    },
  );

  app.delete(
    '/v1/available_periods',
    {
      schema: {
        summary:
          'Delete an available period (202; an unknown id is accepted too), or all of them with {"delete_all": true}',
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        body: Type.Object(
          {
            available_period_id: Type.Optional(Type.String({ maxLength: 64 })),
            delete_all: Type.Optional(Type.Boolean()),
          },
          open,
        ),
        response: { 202: ACCEPTED, ...ERRORS },
      },
    },
    async (request, reply) => {
      const caller = await accountCaller(deps, request);
      const problems = new Problems();
      const body = jsonBody(request);
      if (isAbsent(body.available_period_id) && !isAbsent(body.delete_all)) {
        const all = readBoolean(body.delete_all, 'delete_all', problems);
        if (all === false) problems.add('delete_all', 'errors.invalid_value', 'delete_all must be true');
        problems.throwIfAny();
        await deleteAllPeriods(deps.ctx, caller);
        return accepted(reply);
      }
      const periodId = readAsciiId(body.available_period_id, 'available_period_id', problems);
      problems.throwIfAny();
      await deletePeriod(deps.ctx, caller, periodId!);
      return accepted(reply);
    },
  );

  registerPagedRead(app, deps, {
    kind: 'available_periods',
    itemsKey: 'available_periods',
    summary: "The account's available periods (paged)",
    querystring: Type.Object({
      from: Type.Optional(Type.String({ description: 'YYYY-MM-DD (in tzid) or a UTC time' })),
      to: Type.Optional(Type.String({ description: 'exclusive' })),
      tzid: Type.Optional(Type.String({ description: 'required with from or to' })),
      localized_times: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
    }),
    item: Period,
    parse: (query, problems) => readAvailablePeriodsQuery(query, problems),
    fetch: async (caller, parsed, cursor, pageSize) => {
      const page = await readPeriods(deps.ctx, caller, parsed.query, cursor, pageSize);
      return { page, items: page.items.map((p) => periodToWire(p, parsed.localizedZone)) };
    },
  });
}
