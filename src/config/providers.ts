/**
 * The providers a person signs in to (SPEC 8c): Google Calendar and Microsoft 365, each offered on
 * the authorization page only when the operator gave its OAuth client. Their endpoint URLs are the
 * operator's (public defaults), never a client's, so the outbound guard of SPEC 8a does not apply.
 */

export type OAuthProviderConfig = {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authUrl: string;
  readonly tokenUrl: string;
  /** Base of the calendar API (Google: `calendar/v3/…` under it; Graph: `v1.0/…`), ending in `/`. */
  readonly apiUrl: string;
};

export type SyncConfig = {
  readonly google: OAuthProviderConfig | null;
  readonly microsoft: OAuthProviderConfig | null;
  /** The synced copy reaches this many days ahead (SPEC 8c: 200); later windows are read live. */
  readonly syncDaysAhead: number;
  /** Each synced calendar is synced at least this often without a push (SPEC 8c: 300). */
  readonly syncPollSeconds: number;
};

const DEFAULTS = {
  google: {
    authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    apiUrl: 'https://www.googleapis.com/',
  },
  microsoft: {
    authUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    tokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    apiUrl: 'https://graph.microsoft.com/',
  },
} as const;

/** Documented like config.ts's CONFIG_KEYS, which lists these too. */
export const PROVIDER_CONFIG_KEYS: readonly {
  readonly name: string;
  readonly meaning: string;
  readonly defaultValue: string;
}[] = [
  ...(['GOOGLE', 'MICROSOFT'] as const).flatMap((prefix) => {
    const name = prefix === 'GOOGLE' ? 'Google Calendar' : 'Microsoft 365';
    const defaults = prefix === 'GOOGLE' ? DEFAULTS.google : DEFAULTS.microsoft;
    return [
      {
        name: `${prefix}_CLIENT_ID`,
        meaning: `OAuth client id of ${name} (docs/providers.md); with the secret, offers ${name} on /oauth/authorize`,
        defaultValue: '(unset: not offered)',
      },
      { name: `${prefix}_CLIENT_SECRET`, meaning: `OAuth client secret of ${name}`, defaultValue: '(unset)' },
      { name: `${prefix}_AUTH_URL`, meaning: `${name}'s consent page`, defaultValue: defaults.authUrl },
      { name: `${prefix}_TOKEN_URL`, meaning: `${name}'s token endpoint`, defaultValue: defaults.tokenUrl },
      {
        name: prefix === 'GOOGLE' ? 'GOOGLE_API_URL' : 'MICROSOFT_GRAPH_URL',
        meaning: `Base URL of ${prefix === 'GOOGLE' ? 'the Calendar API' : 'Microsoft Graph'}`,
        defaultValue: defaults.apiUrl,
      },
    ];
  }),
  {
    name: 'SYNC_DAYS_AHEAD',
    meaning: 'Days ahead kept in the synced copy of Google and Microsoft 365 calendars (later: read live)',
    defaultValue: '200',
  },
  {
    name: 'SYNC_POLL_SECONDS',
    meaning: 'Each Google or Microsoft 365 calendar is synced at least this often when no push arrives',
    defaultValue: '300',
  },
];

type Readers = {
  readonly text: (name: string) => string | undefined;
  readonly integer: (name: string, fallback: number, min: number, max: number) => number;
  readonly url: (name: string, fallback: string | null, protocols: readonly string[]) => string | null;
  readonly problems: string[];
};

/** Reads the providers' keys with loadConfig's readers; problems go to the same list. */
export function readSyncConfig(read: Readers): SyncConfig {
  const provider = (
    prefix: 'GOOGLE' | 'MICROSOFT',
    apiKey: string,
    defaults: (typeof DEFAULTS)['google' | 'microsoft'],
  ): OAuthProviderConfig | null => {
    const clientId = read.text(`${prefix}_CLIENT_ID`);
    const clientSecret = read.text(`${prefix}_CLIENT_SECRET`);
    const web = ['http:', 'https:'];
    const authUrl = read.url(`${prefix}_AUTH_URL`, defaults.authUrl, web) ?? defaults.authUrl;
    const tokenUrl = read.url(`${prefix}_TOKEN_URL`, defaults.tokenUrl, web) ?? defaults.tokenUrl;
    const apiUrl = read.url(apiKey, defaults.apiUrl, web) ?? defaults.apiUrl;
    if (clientId === undefined && clientSecret === undefined) return null;
    if (clientId === undefined || clientSecret === undefined) {
      read.problems.push(`${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET must be set together`);
      return null;
    }
    return {
      clientId,
      clientSecret,
      authUrl,
      tokenUrl,
      apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
    };
  };
  return {
    google: provider('GOOGLE', 'GOOGLE_API_URL', DEFAULTS.google),
    microsoft: provider('MICROSOFT', 'MICROSOFT_GRAPH_URL', DEFAULTS.microsoft),
    syncDaysAhead: read.integer('SYNC_DAYS_AHEAD', 200, 1, 3660),
    syncPollSeconds: read.integer('SYNC_POLL_SECONDS', 300, 1, 86_400),
  };
}
