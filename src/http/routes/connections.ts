/**
 * Connected accounts (SPEC 8b), the API half: `GET /v1/account`, `GET /v1/userinfo`,
 * `GET /v1/profiles`, `POST /v1/profiles/{profile_id}/revoke` and `POST /v1/link_tokens`, in the
 * shapes Cronofy's client libraries parse. Every one takes the account's access token; the POSTs
 * read no body (Ruby sends none, PHP `[]`, Python `{}`, Node `{"profile_id": …}`).
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { listCalendars } from '../../app/calendars/calendars.ts';
import {
  createLinkToken,
  type ProfileView,
  profilesOf,
  revokeProfile,
} from '../../app/connections/profiles.ts';
import { accepted, accountCaller, type HttpDeps } from '../request.ts';
import { ACCOUNT_AUTH, CRONOFY, ERRORS } from '../schemas.ts';
import { calendarToWire } from '../wire/output.ts';

const Profile = Type.Object({
  provider_name: Type.String({ description: '"cronofy" (the account\'s own), "caldav", "ics", …' }),
  profile_id: Type.String(),
  profile_name: Type.String(),
  profile_connected: Type.Boolean(),
  profile_initial_sync_required: Type.Boolean(),
  profile_relink_url: Type.Optional(Type.String({ description: 'only when its grant is gone' })),
});

function profileToWire(view: ProfileView) {
  return {
    provider_name: view.providerName,
    profile_id: view.profileId,
    profile_name: view.profileName,
    profile_connected: view.connected,
    profile_initial_sync_required: view.initialSyncRequired,
    ...(view.relinkUrl === null ? {} : { profile_relink_url: view.relinkUrl }),
  };
}

export function registerConnectionRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get(
    '/v1/account',
    {
      schema: {
        summary: 'The account behind the access token',
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        response: {
          200: Type.Object({
            account: Type.Object({
              account_id: Type.String(),
              name: Type.String(),
              scope: Type.String(),
              default_tzid: Type.String(),
            }),
          }),
          ...ERRORS,
        },
      },
    },
    async (request) => {
      const caller = await accountCaller(deps, request);
      const calendars = await listCalendars(deps.ctx, caller);
      const primary = calendars.find((c) => !c.deleted && c.primary) ?? calendars[0];
      return {
        account: {
          account_id: caller.account.id,
          name: caller.account.name,
          scope: 'read_write',
          default_tzid: primary?.tzid ?? 'Etc/UTC',
        },
      };
    },
  );

  app.get(
    '/v1/userinfo',
    {
      schema: {
        summary: 'OpenID-style userinfo: the account and its profiles with their calendars',
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        response: {
          200: Type.Object({ sub: Type.String() }, { additionalProperties: true }),
          ...ERRORS,
        },
      },
    },
    async (request) => {
      const caller = await accountCaller(deps, request);
      const profiles = await profilesOf(deps.ctx, caller);
      return {
        sub: caller.account.id,
        name: caller.account.name,
        'cronofy.type': 'account',
        'cronofy.data': {
          authorization: { scope: 'read_write', status: 'active' },
          profiles: profiles.map((view) => ({
            ...profileToWire(view),
            profile_calendars: view.calendars.map((calendar) =>
              calendarToWire(calendar, { profileId: view.profileId, name: view.profileName }),
            ),
          })),
        },
      };
    },
  );

  app.get(
    '/v1/profiles',
    {
      schema: {
        summary: "The account's profiles: its own, and each one connected through /oauth/authorize",
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        response: { 200: Type.Object({ profiles: Type.Array(Profile) }), ...ERRORS },
      },
    },
    async (request) => {
      const caller = await accountCaller(deps, request);
      return { profiles: (await profilesOf(deps.ctx, caller)).map(profileToWire) };
    },
  );

  app.post<{ Params: { profile_id: string } }>(
    '/v1/profiles/:profile_id/revoke',
    {
      schema: {
        summary:
          'Disconnect a profile: its calendars and credentials are forgotten, its busy time stops counting',
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        params: Type.Object({ profile_id: Type.String() }),
        response: { 202: Type.Null(), ...ERRORS },
      },
    },
    async (request, reply) => {
      const caller = await accountCaller(deps, request);
      await revokeProfile(deps.ctx, caller, request.params.profile_id);
      return accepted(reply);
    },
  );

  app.post(
    '/v1/link_tokens',
    {
      schema: {
        summary: 'A link token: /oauth/authorize with it adds the new profile to this account',
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        response: { 200: Type.Object({ link_token: Type.String() }), ...ERRORS },
      },
    },
    async (request) => {
      const caller = await accountCaller(deps, request);
      return { link_token: await createLinkToken(deps.ctx, caller) };
    },
  );
}
