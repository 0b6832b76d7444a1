-- rtseq schema, PostgreSQL dialect: the same tables, columns and numbering as migrations/sqlite, so
-- the repositories in src/adapters/storage/sql/repos.ts run unchanged on both.
-- Instants are epoch milliseconds (BIGINT); booleans are SMALLINT 0/1; JSON is TEXT.
-- Every TEXT column is COLLATE "C": ORDER BY then compares bytes, exactly like SQLite's BINARY,
-- whatever locale the operator created the database with.

-- btree_gist lets one GiST index combine `account_id WITH =` and a range overlap (see reservations).
-- It is a trusted extension (PostgreSQL 13+): the database owner may create it without superuser.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE applications (
  id TEXT COLLATE "C" PRIMARY KEY,
  client_id TEXT COLLATE "C" NOT NULL UNIQUE,
  name TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE client_secrets (
  id TEXT COLLATE "C" PRIMARY KEY,
  application_id TEXT COLLATE "C" NOT NULL REFERENCES applications(id),
  secret_hash TEXT COLLATE "C" NOT NULL,
  secret_sealed TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX client_secrets_by_hash ON client_secrets(secret_hash);
CREATE INDEX client_secrets_by_app ON client_secrets(application_id);
CREATE TABLE accounts (
  id TEXT COLLATE "C" PRIMARY KEY,
  application_id TEXT COLLATE "C" NOT NULL REFERENCES applications(id),
  application_calendar_id TEXT COLLATE "C",
  profile_id TEXT COLLATE "C" NOT NULL,
  name TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX accounts_by_app_calendar_id ON accounts(application_id, application_calendar_id);
CREATE TABLE access_tokens (
  token_hash TEXT COLLATE "C" PRIMARY KEY,
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
  kind TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE TABLE calendars (
  id TEXT COLLATE "C" PRIMARY KEY,
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
  name TEXT COLLATE "C" NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  read_only SMALLINT NOT NULL,
  is_primary SMALLINT NOT NULL,
  deleted SMALLINT NOT NULL,
  tzid TEXT COLLATE "C" NOT NULL,
  color TEXT COLLATE "C",
  source_sealed TEXT COLLATE "C",
  created_at BIGINT NOT NULL
);
CREATE INDEX calendars_by_account ON calendars(account_id);
CREATE TABLE events (
  calendar_id TEXT COLLATE "C" NOT NULL REFERENCES calendars(id),
  event_id TEXT COLLATE "C" NOT NULL,
  event_uid TEXT COLLATE "C" NOT NULL,
  summary TEXT COLLATE "C" NOT NULL,
  start_ms BIGINT NOT NULL,
  end_ms BIGINT NOT NULL,
  all_day SMALLINT NOT NULL,
  transparency TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  deleted SMALLINT NOT NULL,
  data TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (calendar_id, event_id)
);
CREATE INDEX events_by_calendar_end ON events(calendar_id, end_ms);
CREATE TABLE availability_rules (
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
  rule_id TEXT COLLATE "C" NOT NULL,
  tzid TEXT COLLATE "C" NOT NULL,
  calendar_ids TEXT COLLATE "C",
  weekly_periods TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (account_id, rule_id)
);
CREATE TABLE available_periods (
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
  period_id TEXT COLLATE "C" NOT NULL,
  start_ms BIGINT NOT NULL,
  end_ms BIGINT NOT NULL,
  PRIMARY KEY (account_id, period_id)
);
CREATE TABLE links (
  id TEXT COLLATE "C" PRIMARY KEY,
  application_id TEXT COLLATE "C" NOT NULL REFERENCES applications(id),
  kind TEXT COLLATE "C" NOT NULL,
  token_hash TEXT COLLATE "C" NOT NULL UNIQUE,
  token_sealed TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  request TEXT COLLATE "C" NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  completed_at BIGINT,
  booked TEXT COLLATE "C",
  display_message TEXT COLLATE "C"
);
CREATE TABLE reservations (
  id TEXT COLLATE "C" PRIMARY KEY,
  link_id TEXT COLLATE "C" NOT NULL REFERENCES links(id),
  account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts(id),
  start_ms BIGINT NOT NULL,
  end_ms BIGINT NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  expires_at BIGINT,
  holder_key TEXT COLLATE "C",
  -- The database itself refuses two overlapping reservations of one participant, whichever process
  -- writes them: a concurrent insert waits for the other transaction and fails with 23P01 if it
  -- commits. '[)' is half-open, so touching intervals do not overlap. The constraint cannot see the
  -- clock, so it also counts expired holds: reservations.insertAll deletes those first, in the same
  -- transaction (docs/decisions/0003-no-double-booking.md).
  CONSTRAINT reservations_no_overlap EXCLUDE USING gist (
    account_id WITH =,
    int8range(start_ms, end_ms, '[)') WITH &&
  )
);
CREATE INDEX reservations_by_account ON reservations(account_id, end_ms);
CREATE INDEX reservations_by_link ON reservations(link_id);
CREATE TABLE outbox (
  id TEXT COLLATE "C" PRIMARY KEY,
  delivery_id TEXT COLLATE "C" NOT NULL UNIQUE,
  application_id TEXT COLLATE "C" NOT NULL,
  kind TEXT COLLATE "C" NOT NULL,
  target TEXT COLLATE "C" NOT NULL,
  payload TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  lease_until BIGINT,
  lease_owner TEXT COLLATE "C",
  last_error TEXT COLLATE "C",
  created_at BIGINT NOT NULL,
  finished_at BIGINT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE TABLE delivery_attempts (
  outbox_id TEXT COLLATE "C" NOT NULL REFERENCES outbox(id),
  attempt INTEGER NOT NULL,
  at BIGINT NOT NULL,
  status_code INTEGER,
  error TEXT COLLATE "C",
  duration_ms BIGINT NOT NULL,
  PRIMARY KEY (outbox_id, attempt)
);
