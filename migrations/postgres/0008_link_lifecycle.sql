-- The link lifecycle (docs/decisions/0005-link-lifecycle.md): every change of a link bumps
-- `version`, so a change computed from a copy of the link can tell that the copy is stale; and
-- `reschedule_by` records who reopened a `rescheduling` link ('application' or 'invitee'), because
-- only an invitee's reschedule is bound by the invitee cutoff (SPEC 6.6).
ALTER TABLE links ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE links ADD COLUMN reschedule_by TEXT COLLATE "C";
