/**
 * The booking page's context and budgets over HTTP (SPEC 6.2): languages, branding and organiser,
 * canonical zones, the hour format, the live view, link creation fields (locale, organizer),
 * and the weight of a 12-day, 300-option page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { disableLink } from '../../src/app/links/links.ts';
import { Problems } from '../../src/domain/errors.ts';
import { readLinkRequest } from '../../src/http/wire/links.ts';
import {
  csrfOf,
  dayKeysOf,
  optionKeysOf,
  singleLink,
  startWebServer,
  type TestServer,
  timeLabelsOf,
  Visitor,
} from './fixtures.ts';
import { brandApplication, LOGO_DATA_URL, showcaseLink } from './showcase.ts';

let server: TestServer;

before(async () => {
  server = await startWebServer();
});
after(async () => {
  await server.close();
});

describe('language', () => {
  test('the link’s locale, else Accept-Language, else English; ?lang= is the invitee’s switch', async () => {
    const german = await showcaseLink(server, { days: 2, locale: 'de' });
    const plain = await showcaseLink(server, { days: 2 });
    const visitor = new Visitor(server);
    visitor.acceptLanguage = 'fr-CH, fr;q=0.9';
    const de = await visitor.get(german.path);
    assert.match(de.body, /<html lang="de"/);
    assert.match(de.body, /<title>Product Manager Interview at Globex: Termin wählen<\/title>/);
    assert.match(de.body, /<abbr title="Dienstag">Di<\/abbr>/);
    const fr = await visitor.get(plain.path);
    assert.match(fr.body, /<html lang="fr-CH"/);
    assert.match(fr.body, /Horaires du mardi 3 mars/);
    const ja = await visitor.get(`${plain.path}?lang=ja`);
    assert.match(ja.body, /<html lang="ja"/);
    assert.match(ja.body, /3月3日火曜日の候補時間/);
    visitor.acceptLanguage = 'pt-BR, zh;q=0.8';
    const en = await visitor.get(plain.path);
    assert.match(en.body, /<html lang="en"/);
    assert.match(en.body, /Times on Tuesday, March 3/);
    // Every page of the link speaks it, dead ends included.
    visitor.acceptLanguage = 'nl';
    const record = await server.ctx.store.read((r) => r.links.byId(server.applicationId, plain.id));
    await disableLink(server.ctx, record!, 'Gesloten');
    server.clock.advance(1001); // the shared page state lives for a second
    const closed = await visitor.get(plain.path);
    assert.equal(closed.status, 410);
    assert.match(closed.body, /Deze boekingslink is niet meer beschikbaar/);
    const unknown = await visitor.get('/book/NoSuchTokenNoSuchTokenNoSuchToken');
    assert.match(unknown.body, /Boekingslink niet gevonden/);
  });

  test('the hour format: formatting.hour_format, else the locale; ?hf= switches', async () => {
    const given = await showcaseLink(server, { days: 1, hourFormat: 'h' });
    const free = await showcaseLink(server, { days: 1 });
    const visitor = new Visitor(server);
    const norm = (labels: string[]) => labels.map((l) => l.replace(/\s/g, ' '));
    assert.equal(norm(timeLabelsOf((await visitor.get(given.path)).body))[0], '8:00 am');
    assert.equal(timeLabelsOf((await visitor.get(free.path)).body)[0], '08:00'); // en-GB: 24-hour
    visitor.acceptLanguage = 'en-US';
    assert.equal(norm(timeLabelsOf((await visitor.get(free.path)).body))[0], '8:00 AM');
    assert.equal(timeLabelsOf((await visitor.get(`${given.path}?hf=H`)).body)[0], '08:00');
    assert.match((await visitor.get(`${given.path}?hf=H`)).body, /<option value="H" selected>/);
  });
});

describe('zones', () => {
  test('canonical ids: Asia/Calcutta is shown as Asia/Kolkata, with a friendly name and local time', async () => {
    const link = await singleLink(server, await server.createAccount('zone-1'));
    const page = await new Visitor(server).get(`${link.path}?tz=Asia/Calcutta`);
    assert.match(
      page.body,
      /<option value="Asia\/Kolkata" selected>Kolkata · India Standard Time · \d\d:\d\d<\/option>/,
    );
    assert.ok(!page.body.includes('Asia/Calcutta'));
    assert.match(page.body, /data-tz="Asia\/Kolkata"/);
    assert.match(page.body, /Times are shown in Kolkata · India Standard Time \(UTC\+05:30\)/);
  });

  test('zones.json: every zone, canonical, labelled in the language asked for, cacheable for a minute', async () => {
    const response = await new Visitor(server).get('/book/zones.json?lang=de&hf=H');
    assert.equal(response.status, 200);
    assert.equal(response.headers['cache-control'], 'public, max-age=60');
    const { zones } = JSON.parse(response.body) as { zones: [string, string][] };
    assert.ok(zones.length > 300, `${zones.length} zones`);
    const ids = zones.map(([id]) => id);
    assert.ok(ids.includes('Asia/Kolkata') && ids.includes('Europe/Kyiv') && ids.includes('America/Nuuk'));
    assert.ok(!ids.includes('Asia/Calcutta') && !ids.includes('Europe/Kiev'));
    assert.equal(new Set(ids).size, ids.length);
    assert.match(
      zones.find(([id]) => id === 'Europe/Berlin')![1],
      /^Berlin · Mitteleuropäische Zeit · \d\d:\d\d$/,
    );
  });
});

describe('branding and organiser', () => {
  test('display name, logo (CSP allows exactly it), accent stylesheet, organiser on every page', async () => {
    await brandApplication(server);
    const link = await showcaseLink(server, { days: 2 });
    const visitor = new Visitor(server);
    const page = await visitor.get(link.path);
    assert.match(page.body, /<span class="brand-name">Globex Corporation<\/span>/);
    assert.ok(page.body.includes(`<img class="logo" src="${LOGO_DATA_URL}" alt="">`));
    assert.match(String(page.headers['content-security-policy']), /img-src 'self' data:;/);
    const accent = /href="(\/book\/assets\/accent-5b21b6\.css)"/.exec(page.body)?.[1];
    assert.ok(accent !== undefined);
    const css = await visitor.get(accent);
    assert.equal(css.status, 200);
    assert.match(css.body, /--accent:#5b21b6/);
    assert.match(css.body, /prefers-color-scheme: dark\)\{:root\{--accent:#[0-9a-f]{6}/);
    assert.equal(css.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(page.body, /Organiser: Dana Whitfield/);
    assert.match(
      page.body,
      /Questions\? Contact Dana Whitfield: <a href="mailto:dana\.whitfield@globex\.example">/,
    );
    const noTimes = await visitor.get((await showcaseLink(server, { days: 1, noTimes: true })).path);
    assert.match(
      noTimes.body,
      /class="notice info dead-end"><p class="contact">Questions\? Contact Dana Whitfield/,
    );
  });
});

describe('live view', () => {
  test('the keys offered now between from and to, from the shared page state', async () => {
    const person = await server.createAccount('live-1');
    const mine = await singleLink(server, person, { eventId: 'live-a' });
    const theirs = await singleLink(server, person, { eventId: 'live-b' });
    const visitor = new Visitor(server);
    const page = await visitor.get(mine.path);
    const keys = optionKeysOf(page.body);
    const from = /data-from="(\d+)"/.exec(page.body)![1]!;
    const to = /data-to="(\d+)"/.exec(page.body)![1]!;
    const live = await visitor.get(`${mine.path}/live?from=${from}&to=${to}`);
    assert.equal(live.status, 200);
    assert.deepEqual(JSON.parse(live.body), { status: 'open', keys });
    const other = new Visitor(server);
    const otherPage = await other.get(theirs.path);
    await other.post(`${theirs.path}/choose`, { csrf: csrfOf(otherPage.body), option: keys[0]! });
    const after = JSON.parse((await visitor.get(`${mine.path}/live?from=${from}&to=${to}`)).body);
    assert.deepEqual(after.keys, keys.slice(1));
    const narrow = JSON.parse((await visitor.get(`${mine.path}/live?from=${Number(to) - 1}&to=${to}`)).body);
    assert.ok(narrow.keys.length <= 1);
    const gone = await visitor.get('/book/NoSuchTokenNoSuchTokenNoSuchToken/live');
    assert.equal(gone.status, 404);
  });
});

describe('link creation: locale and organizer', () => {
  test('a bad locale tag and a bad e-mail are 422s; good ones are stored', () => {
    const problems = new Problems();
    const body = {
      oauth: { redirect_uri: 'https://example.com' },
      event: { event_id: 'e', summary: 's' },
      availability: {
        query_periods: [{ start: '2030-01-01T09:00:00Z', end: '2030-01-01T10:00:00Z' }],
        sequence: [
          {
            sequence_id: 'a',
            participants: [{ members: [{ sub: 'acc_1' }] }],
            required_duration: { minutes: 30 },
          },
        ],
      },
    };
    readLinkRequest(
      'sequencing',
      { ...body, locale: 'not a tag!', organizer: { email: 'nope' } },
      problems,
      server.ctx.config.limits,
      0,
    );
    assert.deepEqual(
      problems.list.map((p) => p.path).filter((path) => !path.startsWith('availability')),
      ['locale', 'organizer.email'],
    );
    const fine = new Problems();
    const { request } = readLinkRequest(
      'sequencing',
      { ...body, locale: 'DE-at', organizer: { name: 'Dana', email: 'dana@example.com' } },
      fine,
      server.ctx.config.limits,
      Date.UTC(2029, 11, 1),
    );
    assert.deepEqual(fine.list, []);
    assert.equal(request.locale, 'de-AT');
    assert.deepEqual(request.organizer, { name: 'Dana', email: 'dana@example.com' });
    assert.equal(request.hourFormat, null, 'no formatting: the page follows the locale');
  });
});

describe('weight', () => {
  test('a 12-day, 300-option link: HTML ≤ 40 KB per page, script ≤ 20 KB, no third-party requests', async () => {
    const link = await showcaseLink(server, { days: 12, interval: 15 });
    const visitor = new Visitor(server);
    const first = await visitor.get(link.path);
    const days = dayKeysOf(first.body);
    assert.equal(days.length, 12);
    let options = 0;
    for (const day of days) {
      const page = await visitor.get(`${link.path}?day=${day}`);
      options += optionKeysOf(page.body).length;
      const bytes = Buffer.byteLength(page.body);
      assert.ok(bytes <= 40 * 1024, `${day}: ${bytes} bytes`);
      // Everything the page loads is its own: no src or stylesheet from elsewhere.
      for (const [, url] of page.body.matchAll(/(?:src|href)="([^"]+)"/g)) {
        assert.ok(!/^(https?:)?\/\//.test(url!), `third-party: ${url}`);
      }
    }
    assert.ok(options >= 300, `${options} options`);
    const js = /src="(\/book\/assets\/app\.[0-9a-f]+\.js)"/.exec(first.body)![1]!;
    const css = /href="(\/book\/assets\/app\.[0-9a-f]+\.css)"/.exec(first.body)![1]!;
    assert.ok(Buffer.byteLength((await visitor.get(js)).body) <= 20 * 1024);
    assert.ok(Buffer.byteLength((await visitor.get(css)).body) <= 20 * 1024);
  });
});
