import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { createCalendar, listCalendars } from '../../app/calendars/calendars.ts';
import { profileNames } from '../../app/connections/profiles.ts';
import { Problems } from '../../domain/errors.ts';
import { accountCaller, type HttpDeps, jsonBody } from '../request.ts';
import { ACCOUNT_AUTH, CRONOFY, ERRORS } from '../schemas.ts';
import { readCalendarCreate } from '../wire/calendars.ts';
import { calendarToWire } from '../wire/output.ts';

const Calendar = Type.Object({
  provider_name: Type.String({ description: '"cronofy" (native), "caldav" or "ics"' }),
  profile_id: Type.String(),
  profile_name: Type.String(),
  calendar_id: Type.String(),
  calendar_name: Type.String(),
  calendar_readonly: Type.Boolean(),
  calendar_deleted: Type.Boolean(),
  calendar_primary: Type.Boolean(),
  calendar_integrated_conferencing_available: Type.Boolean(),
  calendar_attachments_available: Type.Boolean(),
  permission_level: Type.Literal('unrestricted'),
  calendar_color: Type.Optional(Type.String()),
});

export function registerCalendarRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get(
    '/v1/calendars',
    {
      schema: {
        summary: "The account's calendars",
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        response: { 200: Type.Object({ sub: Type.String(), calendars: Type.Array(Calendar) }), ...ERRORS },
      },
    },
    async (request) => {
      const caller = await accountCaller(deps, request);
      const calendars = await listCalendars(deps.ctx, caller);
      const names = await profileNames(deps.ctx, caller.account.id);
      return {
        sub: caller.account.id,
        calendars: calendars.map((c) => calendarToWire(c, caller.account, names)),
      };
    },
  );

  app.post(
    '/v1/calendars',
    {
      schema: {
        summary: 'Create a native calendar in the account profile',
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        body: Type.Object(
          {
            profile_id: Type.String(),
            name: Type.String({ maxLength: 200 }),
            color: Type.Optional(Type.String({ description: '#RRGGBB' })),
          },
          { additionalProperties: true },
        ),
        response: { 200: Type.Object({ calendar: Calendar }), ...ERRORS },
      },
    },
    async (request) => {
      const caller = await accountCaller(deps, request);
      const problems = new Problems();
      const input = readCalendarCreate(jsonBody(request), problems);
      problems.throwIfAny();
      const calendar = await createCalendar(deps.ctx, caller, input!);
      return { calendar: calendarToWire(calendar, caller.account) };
    },
  );
}
