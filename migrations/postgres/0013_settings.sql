-- Settings of the deployment kept in its database (issue 27): today only `secret_key_check`, a
-- value sealed with SECRET_KEY that every process opens at start to prove it has the right key.
CREATE TABLE settings (
  name TEXT COLLATE "C" PRIMARY KEY,
  value TEXT COLLATE "C" NOT NULL,
  updated_at BIGINT NOT NULL
);
