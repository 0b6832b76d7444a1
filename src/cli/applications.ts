/** `rtseq app create|rotate-secret|list-secrets|revoke-secret`. */
import { createApplication, listSecrets, revokeSecret, rotateSecret } from '../app/applications.ts';
import type { Config } from '../config/config.ts';
import type { Args } from './args.ts';
import { withContext } from './context.ts';

export const APP_COMMANDS = ['create', 'rotate-secret', 'list-secrets', 'revoke-secret'] as const;

export async function runAppCommand(
  config: Config,
  args: Args,
  out: (text: string) => void,
): Promise<boolean> {
  switch (args.sub) {
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
