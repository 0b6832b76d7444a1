-- Indexes for the queries on hot paths that scanned whole tables (issue 28): a booking replacing
-- its holder's hold, the expired-holds sweep of each booking's participants, the callbacks
-- listing per application and the outbox backlog gauge, the external calendars listing.
CREATE INDEX reservations_holds_by_holder ON reservations(holder_key) WHERE kind = 'hold';
CREATE INDEX reservations_holds_by_expiry ON reservations(account_id, expires_at) WHERE kind = 'hold';
CREATE INDEX outbox_by_application ON outbox(application_id, created_at, id);
CREATE INDEX outbox_by_created ON outbox(created_at, id);
CREATE INDEX outbox_pending_by_created ON outbox(created_at) WHERE status = 'pending';
CREATE INDEX calendars_external_by_account ON calendars(account_id, created_at, id) WHERE kind <> 'native';
-- Retention (jobs/retention.ts) deletes reservations past their end and delivered outbox rows by age.
CREATE INDEX reservations_by_end ON reservations(end_ms);
CREATE INDEX outbox_delivered_by_finished ON outbox(finished_at) WHERE status = 'delivered';
