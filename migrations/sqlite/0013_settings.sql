-- Settings of the deployment kept in its database (issue 27): today only `secret_key_check`, a
-- value sealed with SECRET_KEY that every process opens at start to prove it has the right key.
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
