/** Push notification channels (SPEC 8d): `POST/GET /v1/channels`, `DELETE /v1/channels/{id}`. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { channelJson, closeChannel, createChannel, listChannels } from '../../app/channels/channels.ts';
import { Problems } from '../../domain/errors.ts';
import { accepted, accountCaller, type HttpDeps, jsonBody } from '../request.ts';
import { ACCOUNT_AUTH, CRONOFY, ERRORS, ErrorResponse } from '../schemas.ts';
import { readChannelCreate } from '../wire/channels.ts';

const open = { additionalProperties: true } as const;

const Filters = Type.Object(
  {
    calendar_ids: Type.Optional(
      Type.Array(Type.String(), { minItems: 1, description: 'only changes in these calendars' }),
    ),
    only_managed: Type.Optional(
      Type.Boolean({ description: 'only changes to events the application wrote (not external ones)' }),
    ),
  },
  open,
);

const Channel = Type.Object({
  channel_id: Type.String({ examples: ['chn_0123456789abcdef0123456789abcdef'] }),
  callback_url: Type.String(),
  filters: Filters,
});

export function registerChannelRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.post(
    '/v1/channels',
    {
      schema: {
        summary:
          'Create a push notification channel (at most 128 per account); a verification notification follows',
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        body: Type.Object(
          {
            callback_url: Type.String({ description: 'absolute http(s) URL' }),
            filters: Type.Optional(Filters),
          },
          open,
        ),
        response: { 200: Type.Object({ channel: Channel }), ...ERRORS },
      },
    },
    async (request) => {
      const caller = await accountCaller(deps, request);
      const problems = new Problems();
      const input = readChannelCreate(jsonBody(request), problems);
      problems.throwIfAny();
      return { channel: channelJson(await createChannel(deps.ctx, caller, input!)) };
    },
  );

  app.get(
    '/v1/channels',
    {
      schema: {
        summary: "The account's push notification channels, oldest first",
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        response: { 200: Type.Object({ channels: Type.Array(Channel) }), ...ERRORS },
      },
    },
    async (request) => {
      const caller = await accountCaller(deps, request);
      return { channels: (await listChannels(deps.ctx, caller)).map(channelJson) };
    },
  );

  app.delete(
    '/v1/channels/:channel_id',
    {
      schema: {
        summary: 'Close a push notification channel (202, no body)',
        tags: CRONOFY,
        security: ACCOUNT_AUTH,
        response: {
          202: Type.Null({ description: 'closed; no body' }),
          404: { ...ErrorResponse, description: 'unknown channel, or one of another account' },
          ...ERRORS,
        },
      },
    },
    async (request: FastifyRequest, reply) => {
      const caller = await accountCaller(deps, request);
      await closeChannel(deps.ctx, caller, (request.params as { channel_id: string }).channel_id);
      return accepted(reply);
    },
  );
}
