-- rtseq schema, SQLite dialect. Instants are epoch milliseconds; booleans are 0/1; JSON is TEXT.
CREATE TABLE applications (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE client_secrets (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES applications(id),
  secret_hash TEXT NOT NULL,
  secret_sealed TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX client_secrets_by_hash ON client_secrets(secret_hash);
CREATE INDEX client_secrets_by_app ON client_secrets(application_id);
CREATE TABLE accounts (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES applications(id),
  application_calendar_id TEXT,
  profile_id TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX accounts_by_app_calendar_id ON accounts(application_id, application_calendar_id);
CREATE TABLE access_tokens (
  token_hash TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  kind TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE TABLE calendars (
  id TEXT PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  read_only INTEGER NOT NULL,
  is_primary INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  tzid TEXT NOT NULL,
  color TEXT,
  source_sealed TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX calendars_by_account ON calendars(account_id);
CREATE TABLE events (
  calendar_id TEXT NOT NULL REFERENCES calendars(id),
  event_id TEXT NOT NULL,
  event_uid TEXT NOT NULL,
  summary TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  all_day INTEGER NOT NULL,
  transparency TEXT NOT NULL,
  status TEXT NOT NULL,
  deleted INTEGER NOT NULL,
  data TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (calendar_id, event_id)
);
CREATE INDEX events_by_calendar_end ON events(calendar_id, end_ms);
CREATE TABLE availability_rules (
  account_id TEXT NOT NULL REFERENCES accounts(id),
  rule_id TEXT NOT NULL,
  tzid TEXT NOT NULL,
  calendar_ids TEXT,
  weekly_periods TEXT NOT NULL,
  PRIMARY KEY (account_id, rule_id)
);
CREATE TABLE available_periods (
  account_id TEXT NOT NULL REFERENCES accounts(id),
  period_id TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  PRIMARY KEY (account_id, period_id)
);
CREATE TABLE links (
  id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES applications(id),
  kind TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  token_sealed TEXT NOT NULL,
  status TEXT NOT NULL,
  request TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  completed_at INTEGER,
  booked TEXT,
  display_message TEXT
);
CREATE TABLE reservations (
  id TEXT PRIMARY KEY,
  link_id TEXT NOT NULL REFERENCES links(id),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  kind TEXT NOT NULL,
  expires_at INTEGER,
  holder_key TEXT
);
CREATE INDEX reservations_by_account ON reservations(account_id, end_ms);
CREATE INDEX reservations_by_link ON reservations(link_id);
CREATE TABLE outbox (
  id TEXT PRIMARY KEY,
  delivery_id TEXT NOT NULL UNIQUE,
  application_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  lease_owner TEXT,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE TABLE delivery_attempts (
  outbox_id TEXT NOT NULL REFERENCES outbox(id),
  attempt INTEGER NOT NULL,
  at INTEGER NOT NULL,
  status_code INTEGER,
  error TEXT,
  duration_ms INTEGER NOT NULL,
  PRIMARY KEY (outbox_id, attempt)
);
