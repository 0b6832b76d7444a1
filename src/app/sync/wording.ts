/** How a synced calendar's failures read in `unavailable_sources`, on the page and in the sync state. */
import { isProviderError } from '../../ports/synced-provider.ts';

export function providerLabel(provider: string): string {
  return provider === 'google' ? 'Google Calendar' : provider === 'office365' ? 'Microsoft 365' : provider;
}

/** One reason a person can act on; never a token, an address or the provider's raw text. */
export function describeProviderFailure(provider: string, error: unknown): string {
  const label = providerLabel(provider);
  const code = isProviderError(error) ? error.code : null;
  switch (code) {
    case 'grant_revoked':
      return `${label}: the account is disconnected and must be connected again`;
    case 'unauthorized':
    case 'forbidden':
      return `${label} refused access to the calendar`;
    case 'not_found':
      return `${label}: the calendar no longer exists`;
    case 'rate_limited':
      return `${label} asked rtseq to slow down (rate limit) and did not answer in time`;
    case 'timeout':
      return `${label} did not answer in time`;
    case 'unreachable':
      return `${label} could not be reached`;
    case 'sync_reset':
    case 'bad_response':
      return `${label} gave an unexpected answer`;
    default:
      return `${label} could not be read`;
  }
}
