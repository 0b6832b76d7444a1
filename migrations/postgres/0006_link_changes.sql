-- Reschedule and cancel (SPEC 6.6): which steps are moving while a link is `rescheduling` (a JSON
-- array of step indices; NULL for the whole loop), and when and why a link was cancelled.
ALTER TABLE links ADD COLUMN reschedule_steps TEXT COLLATE "C";
ALTER TABLE links ADD COLUMN cancelled_at BIGINT;
ALTER TABLE links ADD COLUMN cancel_reason TEXT COLLATE "C";
