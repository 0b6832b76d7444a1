import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUTHORIZE_CATALOGUES, authorizeTranslator } from './authorize.ts';
import { LANGUAGES } from './index.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('the authorization page speaks every page language: same keys and placeholders as English', () => {
  const en = AUTHORIZE_CATALOGUES.en as Record<string, string>;
  for (const language of LANGUAGES) {
    const catalogue = AUTHORIZE_CATALOGUES[language] as Record<string, string>;
    assert.deepEqual(Object.keys(catalogue).sort(), Object.keys(en).sort(), language);
    for (const [key, text] of Object.entries(en)) {
      assert.ok(catalogue[key]!.trim() !== '', `${language}.${key}`);
      assert.deepEqual(placeholders(catalogue[key]!), placeholders(text), `${language}.${key}`);
      // Product names (and a list of server addresses) are the same in every language.
      if (
        language !== 'en' &&
        !['server_help', 'caldav_name', 'google_name', 'office365_name'].includes(key)
      ) {
        assert.notEqual(catalogue[key], text, `${language}.${key} is translated`);
      }
    }
  }
  assert.equal(authorizeTranslator('fr')('privacy', { app: 'Acme' }).includes('Acme'), true);
});
