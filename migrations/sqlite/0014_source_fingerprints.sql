-- What the last successful read of each external calendar found (SPEC 8d, change notifications of
-- CalDAV and ICS calendars): a fingerprint of its busy intervals and the window it covered, as JSON
-- `{"hash", "windowStart", "windowEnd"}`. A later read of the same window that finds another
-- fingerprint is a change; failed reads keep it. NULL until the calendar's first successful read.
ALTER TABLE calendar_source_status ADD COLUMN fingerprint TEXT;
