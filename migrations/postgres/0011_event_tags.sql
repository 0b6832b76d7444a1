-- Event tags and availability constraints (issue 25, SPEC 5.1 and 7). `tags` holds an event's tag
-- values as a JSON array (NULL: none); `link_id` marks the events a link's booking wrote (their
-- load is counted through the booking's reservations, never twice). Reservations carry the tags of
-- the event their step writes, so holds and bookings count for tagged constraints.
ALTER TABLE events ADD COLUMN tags TEXT COLLATE "C";
ALTER TABLE events ADD COLUMN link_id TEXT COLLATE "C";
UPDATE events SET link_id = data::jsonb ->> 'rtseq_link_id' WHERE data::jsonb ? 'rtseq_link_id';
ALTER TABLE reservations ADD COLUMN tags TEXT COLLATE "C";
-- Constraints count events by their start.
CREATE INDEX events_by_calendar_start ON events(calendar_id, start_ms);
CREATE INDEX reservations_by_account_start ON reservations(account_id, start_ms);
