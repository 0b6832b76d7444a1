-- Connected accounts (SPEC 8b): the redirect URIs an application registered for /oauth/authorize,
-- the profiles a person connected through it (their provider credentials sealed with SECRET_KEY),
-- authorization codes and link tokens (both stored as SHA-256 hashes only).
CREATE TABLE redirect_uris (
  application_id TEXT COLLATE "C" NOT NULL REFERENCES applications(id),
  position INTEGER NOT NULL,
  uri TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (application_id, position)
);
CREATE TABLE profiles (
  id TEXT COLLATE "C" PRIMARY KEY,
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
  provider_name TEXT COLLATE "C" NOT NULL,
  profile_name TEXT COLLATE "C" NOT NULL,
  credentials_sealed TEXT COLLATE "C",
  redirect_uri TEXT COLLATE "C",
  relink_sealed TEXT COLLATE "C",
  created_at BIGINT NOT NULL,
  disconnected_at BIGINT
);
CREATE INDEX profiles_by_account ON profiles(account_id);
-- A calendar connected through /oauth/authorize belongs to that profile; null: the account's own.
ALTER TABLE calendars ADD COLUMN profile_id TEXT COLLATE "C";
CREATE TABLE authorization_codes (
  code_hash TEXT COLLATE "C" PRIMARY KEY,
  application_id TEXT COLLATE "C" NOT NULL REFERENCES applications(id),
  redirect_uri TEXT COLLATE "C" NOT NULL,
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
  profile_id TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  grant_id TEXT COLLATE "C"
);
CREATE TABLE link_tokens (
  token_hash TEXT COLLATE "C" PRIMARY KEY,
  application_id TEXT COLLATE "C" NOT NULL REFERENCES applications(id),
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
  profile_id TEXT COLLATE "C",
  created_at BIGINT NOT NULL,
  expires_at BIGINT
);
