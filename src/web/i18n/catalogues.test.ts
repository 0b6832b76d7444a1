import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { en } from './en.ts';
import { CATALOGUES, fromAcceptLanguage, LANGUAGES, negotiateLocale, translator } from './index.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  test('the page speaks at least en, de, fr, es, nl and ja', () => {
    for (const language of ['en', 'de', 'fr', 'es', 'nl', 'ja'])
      assert.ok(LANGUAGES.includes(language as never));
  });

  for (const language of LANGUAGES) {
    test(`${language} has every key of en, no other, each non-empty with the same placeholders`, () => {
      const catalogue = CATALOGUES[language] as Record<string, string>;
      const missing = Object.keys(en).filter((key) => !Object.hasOwn(catalogue, key));
      const extra = Object.keys(catalogue).filter((key) => !Object.hasOwn(en, key));
      assert.deepEqual(missing, [], `${language} is missing keys`);
      assert.deepEqual(extra, [], `${language} has keys en does not`);
      for (const [key, text] of Object.entries(en)) {
        const value = catalogue[key]!;
        assert.ok(value.trim() !== '', `${language}.${key} is empty`);
        assert.deepEqual(placeholders(value), placeholders(text), `${language}.${key} placeholders`);
      }
    });
  }

  test('the catalogues are translations, not copies of English', () => {
    for (const language of LANGUAGES.filter((l) => l !== 'en')) {
      const catalogue = CATALOGUES[language] as Record<string, string>;
      assert.notEqual(catalogue.book, en.book, language);
      assert.notEqual(catalogue.none_button, en.none_button, language);
    }
  });

  test('translate fills placeholders and leaves unknown ones', () => {
    const t = translator('fr');
    assert.equal(t('times_title', { day: 'mardi 1 décembre' }), 'Horaires du mardi 1 décembre');
    assert.equal(t('times_title'), 'Horaires du {day}');
  });
});

describe('choosing the language', () => {
  test('the visitor’s pick, then the link’s locale, then Accept-Language, then English', () => {
    assert.deepEqual(negotiateLocale({ picked: 'nl', linkLocale: 'de', acceptLanguage: 'fr' }), {
      language: 'nl',
      tag: 'nl',
    });
    assert.deepEqual(negotiateLocale({ linkLocale: 'de-AT', acceptLanguage: 'fr' }), {
      language: 'de',
      tag: 'de-AT',
    });
    assert.deepEqual(negotiateLocale({ acceptLanguage: 'pt-BR, es;q=0.8, fr;q=0.9' }), {
      language: 'fr',
      tag: 'fr',
    });
    assert.deepEqual(negotiateLocale({ acceptLanguage: 'zh-CN, pt' }), { language: 'en', tag: 'en' });
    assert.deepEqual(negotiateLocale({}), { language: 'en', tag: 'en' });
  });

  test('a pick of the same language keeps the region the link or browser gave', () => {
    assert.deepEqual(negotiateLocale({ picked: 'en', acceptLanguage: 'en-GB' }), {
      language: 'en',
      tag: 'en-GB',
    });
    assert.deepEqual(negotiateLocale({ picked: 'xx', linkLocale: 'ja' }), { language: 'ja', tag: 'ja' });
  });

  test('malformed headers and tags fall back quietly', () => {
    assert.equal(fromAcceptLanguage('%%%, ;q=abc'), undefined);
    assert.equal(fromAcceptLanguage('de;q=0'), undefined);
    assert.deepEqual(negotiateLocale({ linkLocale: 'not a tag', acceptLanguage: 'ja;q=0.2' }), {
      language: 'ja',
      tag: 'ja',
    });
  });
});
