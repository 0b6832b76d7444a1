/**
 * rtseq extension: the calling application's display settings for its booking pages (SPEC 2) and
 * its registered redirect URIs (SPEC 8b), read with `GET /v1/application` and changed with
 * `PATCH /v1/application` (client secret).
 */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  type DisplaySettings,
  type DisplaySettingsPatch,
  displaySettingsOf,
  updateDisplaySettings,
} from '../../app/accounts/display-settings.ts';
import {
  MAX_REDIRECT_URIS,
  readRedirectUris,
  redirectUrisOf,
  setRedirectUris,
} from '../../app/connections/redirect-uris.ts';
import { Problems } from '../../domain/errors.ts';
import type { ApplicationRecord } from '../../ports/store.ts';
import { applicationCaller, type HttpDeps, jsonBody } from '../request.ts';
import { APPLICATION_AUTH, ERRORS, RTSEQ } from '../schemas.ts';
import type { Json } from '../wire/reader.ts';

const Nullable = (description: string) => Type.Union([Type.String(), Type.Null()], { description });

const Settings = Type.Object({
  display_name: Nullable('shown at the top of every booking page'),
  logo_url: Nullable('https URL, or a base64 data URL of at most 64 KiB'),
  accent_colour: Nullable('#rrggbb with at least 4.5:1 contrast against white'),
});

const RedirectUris = Type.Array(Type.String(), {
  description: `the only redirect URIs /oauth/authorize accepts (absolute http(s), at most ${MAX_REDIRECT_URIS}); PATCH replaces the list, null or [] clears it`,
});

const Answer = Type.Object({
  application: Type.Intersect([
    Type.Object({ client_id: Type.String(), redirect_uris: RedirectUris }),
    Settings,
  ]),
});

function document(
  application: ApplicationRecord,
  settings: DisplaySettings,
  redirectUris: readonly string[],
) {
  return {
    application: {
      client_id: application.clientId,
      display_name: settings.displayName,
      logo_url: settings.logoUrl,
      accent_colour: settings.accentColour,
      redirect_uris: redirectUris,
    },
  };
}

const FIELDS = [
  ['display_name', 'displayName'],
  ['logo_url', 'logoUrl'],
  ['accent_colour', 'accentColour'],
] as const;

/** Each field: absent (unchanged), null (cleared) or a string; anything else is a 422. */
function readPatch(body: Json, problems: Problems): DisplaySettingsPatch {
  const patch: DisplaySettingsPatch = {};
  for (const [wire, key] of FIELDS) {
    const value = body[wire];
    if (value === undefined) continue;
    if (value === null || typeof value === 'string') patch[key] = value;
    else problems.add(wire, 'errors.invalid_type', `${wire} must be a string or null`);
  }
  return patch;
}

export function registerApplicationRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get(
    '/v1/application',
    {
      schema: {
        summary: "The calling application's display settings",
        tags: RTSEQ,
        security: APPLICATION_AUTH,
        response: { 200: Answer, ...ERRORS },
      },
    },
    async (request) => {
      const application = await applicationCaller(deps, request);
      return document(
        application,
        displaySettingsOf(application),
        await redirectUrisOf(deps.ctx, application),
      );
    },
  );

  app.patch(
    '/v1/application',
    {
      schema: {
        summary: 'Change the display settings of the booking pages (absent: unchanged, null: cleared)',
        tags: RTSEQ,
        security: APPLICATION_AUTH,
        body: Type.Partial(Type.Intersect([Settings, Type.Object({ redirect_uris: RedirectUris })])),
        response: { 200: Answer, ...ERRORS },
      },
    },
    async (request) => {
      const application = await applicationCaller(deps, request);
      const problems = new Problems();
      const body = jsonBody(request);
      const patch = readPatch(body, problems);
      const uris =
        body.redirect_uris === undefined
          ? undefined
          : readRedirectUris(body.redirect_uris, 'redirect_uris', problems);
      const settings = await updateDisplaySettings(deps.ctx, application, patch, problems);
      const redirectUris =
        uris === undefined
          ? await redirectUrisOf(deps.ctx, application)
          : await setRedirectUris(deps.ctx, application, uris, 'replace', problems);
      return document(application, settings, redirectUris);
    },
  );
}
