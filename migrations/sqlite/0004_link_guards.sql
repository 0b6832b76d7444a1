-- Issue 12 (SPEC 9, 6.2): at most one active hold per link, recorded with the option it holds so
-- a stale confirmation form books what is actually held; "None of these times work" once per link.
CREATE TABLE link_holds (
  link_id TEXT PRIMARY KEY REFERENCES links(id),
  holder_key TEXT NOT NULL,
  option_key TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE TABLE link_no_times_suitable (
  link_id TEXT PRIMARY KEY REFERENCES links(id),
  at INTEGER NOT NULL,
  notified INTEGER NOT NULL
);
