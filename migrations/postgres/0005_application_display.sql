-- An application's display settings for its booking pages (SPEC 2): all optional.
ALTER TABLE applications ADD COLUMN display_name TEXT;
ALTER TABLE applications ADD COLUMN logo_url TEXT;
ALTER TABLE applications ADD COLUMN accent_colour TEXT;
