-- Token lifecycle (SPEC 3): the tokens issued together form a grant (a refresh keeps its grant, so
-- revoking any token of it revokes all); access tokens expire. Tokens issued before this migration
-- are each their own grant and never expire.
ALTER TABLE access_tokens ADD COLUMN grant_id TEXT;
ALTER TABLE access_tokens ADD COLUMN expires_at BIGINT;
UPDATE access_tokens SET grant_id = token_hash WHERE grant_id IS NULL;
CREATE INDEX access_tokens_by_grant ON access_tokens(grant_id);
CREATE INDEX access_tokens_by_account ON access_tokens(account_id);
-- Native calendar names are unique per account, compared without case and surrounding spaces
-- (SPEC 7), also under races. Older duplicates keep their name with the calendar id appended.
UPDATE calendars SET name = name || ' ' || id
WHERE deleted = 0 AND kind = 'native' AND EXISTS (
  SELECT 1 FROM calendars older
  WHERE older.account_id = calendars.account_id AND older.deleted = 0 AND older.kind = 'native'
    AND lower(btrim(older.name)) = lower(btrim(calendars.name))
    AND (older.created_at < calendars.created_at OR (older.created_at = calendars.created_at AND older.id < calendars.id))
);
CREATE UNIQUE INDEX calendars_unique_native_name ON calendars(account_id, lower(btrim(name)))
  WHERE deleted = 0 AND kind = 'native';
