-- The last read of each external calendar (SPEC 8 "the account's source status"): when, whether it
-- succeeded or why not (the words the API and page use), how many busy intervals it yielded, and
-- which recurrence rules expansion ignored (a JSON array of notes). One row per calendar, replaced
-- by every read that is newer than the stored one.
CREATE TABLE calendar_source_status (
  calendar_id TEXT PRIMARY KEY REFERENCES calendars(id),
  read_at INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  reason TEXT,
  busy_count INTEGER,
  ignored TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  window_end INTEGER NOT NULL
);
