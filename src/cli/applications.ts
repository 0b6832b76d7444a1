/** `rtseq app list|create|rotate-secret|list-secrets|revoke-secret|set`. */
import {
  createApplication,
  listApplications,
  listSecrets,
  revokeSecret,
  rotateSecret,
} from '../app/accounts/applications.ts';
import { type DisplaySettingsPatch, updateDisplaySettings } from '../app/accounts/display-settings.ts';
import { readRedirectUris, redirectUrisOf, setRedirectUris } from '../app/connections/redirect-uris.ts';
import type { Config } from '../config/config.ts';
import { DomainError, Problems } from '../domain/errors.ts';
import { formatUtc } from '../domain/time/format.ts';
import { type Args, UsageError } from './args.ts';
import { withContext } from './context.ts';

export async function runAppCommand(
  config: Config,
  args: Args,
  out: (text: string) => void,
): Promise<boolean> {
  switch (args.sub) {
    case 'list': {
      const listed = await withContext(config, (ctx) => listApplications(ctx));
      if (args.json)
        out(
          JSON.stringify({
            applications: listed.map((a) => ({
              client_id: a.clientId,
              name: a.name,
              created: formatUtc(a.createdAt),
              active_secrets: a.activeSecrets,
            })),
          }),
        );
      else {
        for (const a of listed)
          out(`${a.clientId}  ${formatUtc(a.createdAt)}  secrets=${a.activeSecrets}  ${a.name}`);
        if (listed.length === 0) out('No applications: create one with `rtseq app create --name NAME`.');
      }
      return true;
    }
    case 'create': {
      const name = args.required('name');
      const created = await withContext(config, (ctx) => createApplication(ctx, name));
      if (args.json)
        out(JSON.stringify({ client_id: created.clientId, client_secret: created.clientSecret }));
      else
        out(
          `client_id:     ${created.clientId}\nclient_secret: ${created.clientSecret}\nsecret_id:     ${created.secretId}`,
        );
      return true;
    }
    case 'rotate-secret': {
      const clientId = args.required('client-id');
      const rotated = await withContext(config, (ctx) => rotateSecret(ctx, clientId));
      if (args.json) {
        out(
          JSON.stringify({
            client_id: rotated.clientId,
            client_secret: rotated.clientSecret,
            secret_id: rotated.secretId,
          }),
        );
      } else out(`client_secret: ${rotated.clientSecret}\nsecret_id:     ${rotated.secretId}`);
      return true;
    }
    case 'list-secrets': {
      const clientId = args.required('client-id');
      const secrets = await withContext(config, (ctx) => listSecrets(ctx, clientId));
      if (args.json) out(JSON.stringify(secrets));
      else for (const s of secrets) out(`${s.secretId}  ${new Date(s.createdAt).toISOString()}  ${s.hint}`);
      return true;
    }
    case 'revoke-secret': {
      const clientId = args.required('client-id');
      const secretId = args.required('secret-id');
      await withContext(config, (ctx) => revokeSecret(ctx, clientId, secretId));
      out(`Revoked ${secretId}.`);
      return true;
    }
    case 'set':
      await setDisplay(config, args, out);
      return true;
    default:
      return false;
  }
}

const DISPLAY_FLAGS = [
  ['display-name', 'displayName'],
  ['logo-url', 'logoUrl'],
  ['accent-colour', 'accentColour'],
] as const;

/**
 * `rtseq app set --client-id ID [--display-name N] [--logo-url URL] [--accent-colour #rrggbb]
 * [--redirect-uri URI]… [--clear display-name,logo-url,accent-colour,redirect-uris]`: the booking
 * pages' display settings (SPEC 2) and the registered redirect URIs (SPEC 8b; each
 * `--redirect-uri` adds one, `--clear redirect-uris` empties the list first), checked as
 * `PATCH /v1/application` checks them; every problem is printed.
 */
async function setDisplay(config: Config, args: Args, out: (text: string) => void): Promise<void> {
  const clientId = args.required('client-id');
  const patch: DisplaySettingsPatch = {};
  for (const [flag, key] of DISPLAY_FLAGS) {
    const value = args.optional(flag);
    if (value !== undefined) patch[key] = value;
  }
  let clearUris = false;
  for (const name of (args.optional('clear') ?? '').split(',').filter((n) => n !== '')) {
    if (name.trim() === 'redirect-uris') {
      clearUris = true;
      continue;
    }
    const field = DISPLAY_FLAGS.find(([flag]) => flag === name.trim());
    if (field === undefined)
      throw new UsageError(
        `--clear takes display-name, logo-url, accent-colour or redirect-uris, not ${name}`,
      );
    patch[field[1]] = null;
  }
  const added = args.many('redirect-uri');
  if (Object.keys(patch).length === 0 && added.length === 0 && !clearUris) {
    throw new UsageError(
      'app set needs --display-name, --logo-url, --accent-colour, --redirect-uri or --clear',
    );
  }
  const { settings, redirectUris } = await withContext(config, async (ctx) => {
    const application = await ctx.store.read((repos) => repos.applications.byClientId(clientId));
    if (application === undefined)
      throw new DomainError('not_found', `No application with client_id ${clientId}`);
    try {
      const problems = new Problems();
      const uris = readRedirectUris(added, 'redirect-uri', problems) ?? [];
      const settings = await updateDisplaySettings(ctx, application, patch, problems);
      // --redirect-uri adds to the registered list; --clear redirect-uris empties it first.
      const redirectUris =
        added.length === 0 && !clearUris
          ? await redirectUrisOf(ctx, application)
          : await setRedirectUris(
              ctx,
              application,
              uris,
              clearUris ? 'replace' : 'add',
              problems,
              'redirect-uri',
            );
      return { settings, redirectUris };
    } catch (error) {
      const problems = error instanceof DomainError ? error.problems : [];
      if (problems.length === 0) throw error;
      throw new UsageError(problems.map((p) => `${p.path}: ${p.description}`).join('\n'));
    }
  });
  const document = {
    display_name: settings.displayName,
    logo_url: settings.logoUrl,
    accent_colour: settings.accentColour,
  };
  if (args.json) {
    out(JSON.stringify({ ...document, redirect_uris: redirectUris }));
    return;
  }
  for (const [key, value] of Object.entries(document)) out(`${`${key}:`.padEnd(15)}${value ?? '(not set)'}`);
  out(`${'redirect_uris:'.padEnd(15)}${redirectUris.length === 0 ? '(none)' : redirectUris.join(' ')}`);
}
