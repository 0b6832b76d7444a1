-- Connected accounts (SPEC 8b): the redirect URIs an application registered for /oauth/authorize,
-- the profiles a person connected through it (their provider credentials sealed with SECRET_KEY),
-- authorization codes and link tokens (both stored as SHA-256 hashes only).
CREATE TABLE redirect_uris (
  application_id TEXT NOT NULL REFERENCES applications(id),
  position INTEGER NOT NULL,
  uri TEXT NOT NULL,
  PRIMARY KEY (application_id, position)
);
CREATE TABLE profiles (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  provider_name TEXT NOT NULL,
  profile_name TEXT NOT NULL,
  credentials_sealed TEXT,
  redirect_uri TEXT,
  relink_sealed TEXT,
  created_at INTEGER NOT NULL,
  disconnected_at INTEGER
);
CREATE INDEX profiles_by_account ON profiles(account_id);
-- A calendar connected through /oauth/authorize belongs to that profile; null: the account's own.
ALTER TABLE calendars ADD COLUMN profile_id TEXT;
CREATE TABLE authorization_codes (
  code_hash TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES applications(id),
  redirect_uri TEXT NOT NULL,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  profile_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  grant_id TEXT
);
CREATE TABLE link_tokens (
  token_hash TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES applications(id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  profile_id TEXT,
  created_at INTEGER NOT NULL,
  expires_at INTEGER
);
