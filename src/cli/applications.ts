/** `rtseq app create|rotate-secret|list-secrets|revoke-secret`. */
import {
  createApplication,
  listApplications,
  listSecrets,
  revokeSecret,
  rotateSecret,
} from '../app/applications.ts';
import type { Config } from '../config/config.ts';
import { formatUtc } from '../domain/time/format.ts';
import type { Args } from './args.ts';
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
    default:
      return false;
  }
}
