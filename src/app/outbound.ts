/**
 * SPEC 8a's check when a client gives rtseq a URL it will fetch later (callback URLs of a link,
 * a CalDAV server, an ICS feed): a name or address in a refused range is a 422; a name that does
 * not resolve is accepted (every request is checked again by the guard itself).
 */
import type { Problems } from '../domain/errors.ts';
import { classifyHost, outboundUrl } from '../domain/net/addresses.ts';
import type { OutboundVerdict } from '../ports/outbound.ts';
import type { AppContext } from './context.ts';

/** Adds `errors.private_address` at `path` when the guard refuses `url`. */
export async function checkOutboundUrl(
  ctx: AppContext,
  url: string,
  path: string,
  problems: Problems,
): Promise<void> {
  if (ctx.config.allowPrivateCallbacks) return;
  const verdict = ctx.outbound === undefined ? literalVerdict(url) : await ctx.outbound.checkUrl(url);
  if (verdict === 'refused') {
    problems.add(
      path,
      'errors.private_address',
      `${path} may not point at a loopback, private, link-local or reserved address (for local development and tests, start rtseq with ALLOW_PRIVATE_CALLBACKS=true)`,
    );
  }
}

/** Without a guard (some tests): the host as written, numeric forms normalised, no DNS. */
function literalVerdict(text: string): OutboundVerdict {
  const url = outboundUrl(text);
  if (url === undefined) return 'invalid';
  return classifyHost(url.hostname) === 'refused' ? 'refused' : 'allowed';
}
