/**
 * The outbound guard as app/ sees it (SPEC 8a): checking a client-given URL when a link or an
 * account is created. adapters/net/outbound.ts implements it (and guards every request itself).
 */

/**
 * - `allowed`: an http(s) URL whose host resolves only to addresses rtseq may reach;
 * - `refused`: a local name, or a name or address in a refused range (a 422 at creation);
 * - `unresolved`: a name that does not resolve now (accepted: it is checked again at every request);
 * - `invalid`: not an absolute http(s) URL (`webcal:` counts as `https:`).
 */
export type OutboundVerdict = 'allowed' | 'refused' | 'unresolved' | 'invalid';

export interface OutboundCheck {
  checkUrl(url: string): Promise<OutboundVerdict>;
}
