/** `rtseq tokens revoke --sub SUB`: revokes every grant (access and refresh tokens) of an account. */
import { revokeAccountTokens } from '../app/accounts/accounts.ts';
import type { Config } from '../config/config.ts';
import type { Args } from './args.ts';
import { withContext } from './context.ts';

export async function runTokenCommand(
  config: Config,
  args: Args,
  out: (text: string) => void,
): Promise<boolean> {
  if (args.sub !== 'revoke') return false;
  const sub = args.required('sub');
  const count = await withContext(config, (ctx) => revokeAccountTokens(ctx, sub));
  if (args.json) out(JSON.stringify({ sub, revoked_tokens: count }));
  else out(`Revoked ${count} token${count === 1 ? '' : 's'} of ${sub}.`);
  return true;
}
