import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Problems } from '../../domain/errors.ts';
import { accentPalette, checkDisplaySettings, contrastRatio, DARK_BACKGROUND } from './display-settings.ts';

test('contrast ratios match WCAG 2 (black on white is 21:1, #767676 about 4.54:1)', () => {
  assert.equal(contrastRatio('#000000', '#ffffff').toFixed(1), '21.0');
  assert.equal(contrastRatio('#767676', '#ffffff').toFixed(2), '4.54');
  assert.equal(contrastRatio('#ffffff', '#ffffff'), 1);
});

test('an accent with less than 4.5:1 against white is refused, with every problem listed', () => {
  const problems = new Problems();
  checkDisplaySettings(
    { accentColour: '#ffcc00', logoUrl: 'http://example.com/logo.png', displayName: '' },
    problems,
  );
  assert.deepEqual(
    problems.list.map((p) => [p.path, p.code]),
    [
      ['display_name', 'errors.invalid_value'],
      ['logo_url', 'errors.invalid_value'],
      ['accent_colour', 'errors.insufficient_contrast'],
    ],
  );
});

test('good settings pass: a dark accent, an https logo, a small data URL', () => {
  for (const logoUrl of ['https://cdn.example.com/logo.svg', 'data:image/png;base64,iVBORw0KGgo=']) {
    const problems = new Problems();
    checkDisplaySettings({ accentColour: '#0B57A4', logoUrl, displayName: 'Globex' }, problems);
    assert.deepEqual(problems.list, []);
  }
});

test('a data URL over 64 KiB, a non-image data URL and a malformed colour are refused', () => {
  const problems = new Problems();
  checkDisplaySettings({ logoUrl: `data:image/png;base64,${'A'.repeat(64 * 1024)}` }, problems);
  checkDisplaySettings({ logoUrl: 'data:text/html;base64,PHA+' }, problems);
  checkDisplaySettings({ accentColour: 'blue' }, problems);
  assert.equal(problems.list.length, 2); // the two logo problems share a path and code
  assert.ok(problems.list.some((p) => p.path === 'accent_colour'));
});

test('the dark theme derives a lighter shade that stands out on the dark background', () => {
  for (const accent of ['#0b57a4', '#8b0000', '#1e6b34', '#000000', '#5b21b6']) {
    const palette = accentPalette(accent);
    assert.equal(palette.light, accent);
    assert.ok(contrastRatio(palette.dark, DARK_BACKGROUND) >= 4.5, `${accent} → ${palette.dark}`);
    assert.ok(contrastRatio(palette.light, '#ffffff') >= 4.5);
  }
});
