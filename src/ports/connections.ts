/**
 * Storage of connected accounts (SPEC 8b): an application's registered redirect URIs, the profiles
 * a person connected through /oauth/authorize, authorization codes and link tokens. Codes and link
 * tokens are stored as hashes only; provider credentials sealed with SECRET_KEY.
 */

/** Providers a profile can come from. `cronofy` is an account's own profile (native calendars). */
export type ProviderName = 'caldav' | 'ics' | 'google' | 'office365';

export type ProfileRecord = {
  readonly id: string;
  readonly accountId: string;
  readonly providerName: ProviderName;
  /** What the person recognises it by: the user name at the server, or the feed's host. */
  readonly profileName: string;
  /** The provider credentials (CalDAV login, feed URL), sealed; null once revoked. */
  readonly credentialsSealed: string | null;
  /** The redirect URI the profile was connected through (for its relink URL). */
  readonly redirectUri: string | null;
  /** A link token that reconnects this profile, sealed; set when the profile is disconnected. */
  readonly relinkSealed: string | null;
  readonly createdAt: number;
  /** When its grant went away (revoked, or the provider refused it); null while connected. */
  readonly disconnectedAt: number | null;
};

export type AuthorizationCodeRecord = {
  readonly codeHash: string;
  readonly applicationId: string;
  readonly redirectUri: string;
  readonly accountId: string;
  readonly profileId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly usedAt: number | null;
  /** The grant the first exchange issued (revoked when the code is replayed). */
  readonly grantId: string | null;
};

export type LinkTokenRecord = {
  readonly tokenHash: string;
  readonly applicationId: string;
  readonly accountId: string;
  /** Set for a relink token: the profile it reconnects. */
  readonly profileId: string | null;
  readonly createdAt: number;
  /** Null: until used (relink tokens). */
  readonly expiresAt: number | null;
};

export interface ConnectionRepo {
  redirectUris(applicationId: string): Promise<string[]>;
  /** Replaces the application's registered redirect URIs (in order). */
  setRedirectUris(applicationId: string, uris: readonly string[]): Promise<void>;

  insertProfile(profile: ProfileRecord): Promise<void>;
  profile(id: string): Promise<ProfileRecord | undefined>;
  profilesOf(accountId: string): Promise<ProfileRecord[]>;
  /** Marks the profile disconnected, forgets its credentials, keeps `relinkSealed`; false when already so. */
  disconnectProfile(id: string, at: number, relinkSealed: string | null): Promise<boolean>;
  /** Connects the profile again with new credentials (a relink). */
  reconnectProfile(id: string, credentialsSealed: string, profileName: string): Promise<void>;
  /** Stores a refreshed grant of a connected profile (sealed); false when it was disconnected meanwhile. */
  replaceCredentials(id: string, credentialsSealed: string): Promise<boolean>;
  /** Marks the profile's calendars deleted and forgets their sources and last reads; returns their ids. */
  forgetProfileCalendars(profileId: string, at: number): Promise<string[]>;

  insertCode(code: AuthorizationCodeRecord): Promise<void>;
  code(codeHash: string): Promise<AuthorizationCodeRecord | undefined>;
  /** Spends the code with one conditional write: true for exactly one caller. */
  spendCode(codeHash: string, at: number, grantId: string): Promise<boolean>;

  insertLinkToken(token: LinkTokenRecord): Promise<void>;
  linkToken(tokenHash: string): Promise<LinkTokenRecord | undefined>;
  deleteLinkToken(tokenHash: string): Promise<void>;
}
