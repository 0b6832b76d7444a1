/**
 * The booking page over HTTP without a browser (SPEC 6.2): every state, escaping, CSRF, headers,
 * zones and hour formats, and the whole flow with plain form posts, as a browser without script
 * would send them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { disableLink } from '../../src/app/links/links.ts';
import {
  addBusy,
  allTimeLabels,
  createSequencingLink,
  csrfOf,
  dayHeadingsOf,
  eventsIn,
  interviewLink,
  iso,
  type Link,
  optionKeysOf,
  singleLink,
  startWebServer,
  type TestAccount,
  type TestServer,
  timeLabelsOf,
  Visitor,
} from './fixtures.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;

let server: TestServer;
let counter = 0;

/** Fresh accounts per test, so tests on the shared server never see each other's bookings. */
async function people(engineers = 2) {
  counter += 1;
  const recruiter = await server.createAccount(`rec-${counter}`, { name: 'Riley' });
  const list: TestAccount[] = [];
  for (let i = 0; i < engineers; i++) list.push(await server.createAccount(`eng-${counter}-${i}`));
  return { recruiter, engineers: list };
}

/** Tomorrow 09:00–17:00 UTC, relative to the server clock (the links' query period). */
function tomorrow(): { start: number; end: number } {
  const day = Math.floor(server.clock.now() / (24 * HOUR)) * 24 * HOUR + 24 * HOUR;
  return { start: day + 9 * HOUR, end: day + 17 * HOUR };
}

async function linkStatus(link: Link) {
  const stored = await server.ctx.store.read((repos) => repos.links.byId(server.applicationId, link.id));
  return stored?.status;
}

before(async () => {
  server = await startWebServer();
});
after(async () => {
  await server.close();
});

describe('open page', () => {
  test('lists steps and times grouped by day, escapes link data, sets a session cookie', async () => {
    const p = await people();
    const link = await interviewLink(server, p, {
      summary: 'Loop <script>alert("x")</script> & more',
      periods: [tomorrow()],
    });
    const visitor = new Visitor(server);
    const page = await visitor.get(link.path);
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html; charset=utf-8/);
    assert.ok(!page.body.includes('<script>alert'), 'summary must be escaped');
    assert.ok(page.body.includes('Loop &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more'));
    assert.match(page.body, /<html lang="en-GB"/);
    assert.match(page.body, /Pre-screen<\/span> <span class="duration">1 hr</);
    assert.match(page.body, /Face-to-face<\/span> <span class="duration">1 hr</);
    // 09:00 to 17:00 UTC in Europe/London (GMT in March): a 2-hour loop starts 09:00 … 15:00.
    const labels = timeLabelsOf(page.body);
    assert.equal(labels[0], '09:00');
    assert.equal(labels.at(-1), '15:00');
    assert.equal(labels.length, 25);
    assert.equal(dayHeadingsOf(page.body).length, 1);
    assert.match(page.body, /<time datetime="\d{4}-\d\d-\d\dT09:00:00Z">09:00<\/time>/);
    const cookie = String(page.headers['set-cookie']);
    assert.match(
      cookie,
      /^rtseq_holder=[A-Za-z0-9_-]+; Path=\/book\/[A-Za-z0-9_-]+; HttpOnly; SameSite=Lax$/,
    );
    assert.ok(cookie.includes(`Path=${link.path}`));
    // The script may detect the viewer's zone because none was asked for.
    assert.match(page.body, /data-tz="Europe\/London"/);
    assert.match(page.body, /data-tz-detect="1"/);
    // A second view with the cookie does not set a new one.
    const again = await visitor.get(link.path);
    assert.equal(again.headers['set-cookie'], undefined);
  });

  test('security headers on every page, long caching only on hashed assets', async () => {
    const p = await people(1);
    const link = await singleLink(server, p.recruiter, { periods: [tomorrow()] });
    const visitor = new Visitor(server);
    const pages = [
      await visitor.get(link.path),
      await visitor.get('/book/this-token-does-not-exist-anywhere'),
      await visitor.post(`${link.path}/choose`, { option: 'x' }),
    ];
    for (const page of pages) {
      const csp = String(page.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.ok(!csp.includes('unsafe-inline'));
      assert.equal(page.headers['x-frame-options'], 'DENY');
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
      assert.equal(page.headers['x-content-type-options'], 'nosniff');
      assert.equal(page.headers['cache-control'], 'no-store');
      assert.match(String(page.headers['permissions-policy']), /camera=\(\)/);
    }
    const body = pages[0]!.body;
    assert.ok(!/<script>/.test(body), 'no inline script');
    assert.ok(!/<style/.test(body) && !/ style="/.test(body), 'no inline style');
    const css = /href="(\/book\/assets\/app\.[0-9a-f]+\.css)"/.exec(body)![1]!;
    const js = /src="(\/book\/assets\/app\.[0-9a-f]+\.js)"/.exec(body)![1]!;
    for (const [path, type] of [
      [css, 'text/css'],
      [js, 'text/javascript'],
    ] as const) {
      const asset = await visitor.get(path);
      assert.equal(asset.status, 200);
      assert.match(String(asset.headers['content-type']), new RegExp(`^${type}`));
      assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    }
    assert.equal((await visitor.get('/book/assets/app.0000.css')).status, 404);
  });

  test('viewer zone from ?tz=, else the link tzid; invalid zones are ignored', async () => {
    const p = await people(1);
    const link = await singleLink(server, p.recruiter, { tzid: 'Europe/London', periods: [tomorrow()] });
    const visitor = new Visitor(server);
    const london = await visitor.get(link.path);
    assert.deepEqual(timeLabelsOf(london.body).slice(0, 2), ['09:00', '10:00']);
    const ny = await visitor.get(`${link.path}?tz=America/New_York`);
    assert.deepEqual(timeLabelsOf(ny.body).slice(0, 2), ['04:00', '05:00']);
    assert.match(ny.body, /Times are shown in New York · Eastern Time \(UTC−05:00\)/);
    assert.match(ny.body, /<option value="America\/New_York" selected>/);
    assert.ok(!ny.body.includes('data-tz-detect'), 'an explicit zone is not overridden by detection');
    const kolkata = await visitor.get(`${link.path}?tz=Asia/Kolkata`);
    assert.deepEqual(timeLabelsOf(kolkata.body).slice(0, 1), ['14:30']);
    const bogus = await visitor.get(`${link.path}?tz=${encodeURIComponent('Mars/<b>Olympus')}`);
    assert.equal(bogus.status, 200);
    assert.deepEqual(timeLabelsOf(bogus.body).slice(0, 1), ['09:00']);
    assert.ok(!bogus.body.includes('<b>Olympus'));
    const offset = await visitor.get(`${link.path}?tz=%2B05:00`);
    assert.deepEqual(timeLabelsOf(offset.body).slice(0, 1), ['09:00']);
  });

  test('12-hour and 24-hour formats', async () => {
    const p = await people(1);
    const day = tomorrow();
    const period = { start: day.start - 9 * HOUR, end: day.start + 15 * HOUR }; // 00:00 to 24:00 UTC
    const twelve = await singleLink(server, p.recruiter, { hourFormat: 'h', periods: [period] });
    const labels12 = timeLabelsOf((await new Visitor(server).get(twelve.path)).body).map((l) =>
      l.replace(/\u202f/g, ' '),
    );
    assert.deepEqual(labels12.slice(0, 2), ['12:00 am', '1:00 am']);
    assert.equal(labels12[12], '12:00 pm');
    assert.equal(labels12[13], '1:00 pm');
    assert.equal(labels12.at(-1), '11:00 pm');
    const other = await people(1);
    const twentyFour = await singleLink(server, other.recruiter, { hourFormat: 'H', periods: [period] });
    const labels24 = timeLabelsOf((await new Visitor(server).get(twentyFour.path)).body);
    assert.deepEqual([labels24[0], labels24[13], labels24.at(-1)], ['00:00', '13:00', '23:00']);
  });

  test('an option that ends on a later day names that day on its button', async () => {
    const p = await people(1);
    const day = tomorrow();
    const link = await createSequencingLink(server, {
      oauth: { redirect_uri: 'https://example.com/done' },
      event: { event_id: 'two-days', summary: 'Two days' },
      tzid: 'UTC',
      availability: {
        query_periods: [
          { start: iso(day.start), end: iso(day.start + HOUR) },
          { start: iso(day.start + 24 * HOUR), end: iso(day.start + 25 * HOUR) },
        ],
        sequence: [
          {
            sequence_id: 'a',
            participants: [{ members: [{ sub: p.recruiter.sub }] }],
            required_duration: { minutes: 60 },
          },
          {
            sequence_id: 'b',
            participants: [{ members: [{ sub: p.engineers[0]!.sub }] }],
            required_duration: { minutes: 60 },
          },
        ],
      },
    });
    const body = (await new Visitor(server).get(`${link.path}?tz=UTC`)).body;
    const nextDay = new Date(day.start + 24 * HOUR).toLocaleDateString('en-GB', {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      timeZone: 'UTC',
    }); // e.g. "Wed 4 Mar"
    assert.match(body, new RegExp(`<small>to ${nextDay}, 10:00</small>`));
    // Its itinerary (shown before booking) marks the second step's day.
    assert.match(body, new RegExp(`<strong class="other-day">on ${nextDay}</strong> 09:00 – 10:00`));
  });

  test('grouping by day follows the viewer zone across the end of summer time (Europe/London)', async () => {
    const local = await startWebServer({ now: Date.UTC(2026, 9, 20, 12) });
    try {
      const person = await local.createAccount('dst-person');
      // Saturday 24 Oct 20:00 UTC to Monday 26 Oct 03:00 UTC; London falls back at 01:00 UTC on the 25th.
      const link = await singleLink(local, person, {
        tzid: 'Europe/London',
        periods: [{ start: Date.UTC(2026, 9, 24, 20), end: Date.UTC(2026, 9, 26, 3) }],
      });
      const visitor = new Visitor(local);
      const page = await visitor.get(link.path);
      assert.deepEqual(dayHeadingsOf(page.body), [
        'Saturday 24 October',
        'Sunday 25 October',
        'Monday 26 October',
      ]);
      const labels = await allTimeLabels(visitor, link.path);
      // Saturday: 21:00, 22:00, 23:00 BST; Sunday: 00:00 BST, 01:00 twice, then 02:00 … 23:00 GMT.
      assert.deepEqual(labels.slice(0, 7), [
        '21:00',
        '22:00',
        '23:00',
        '00:00',
        '01:00 (UTC+01:00)',
        '01:00 (UTC+00:00)',
        '02:00',
      ]);
      assert.equal(labels.length, 3 + 25 + 3);
      const utc = await visitor.get(`${link.path}?tz=UTC`);
      assert.deepEqual(dayHeadingsOf(utc.body), [
        'Saturday 24 October',
        'Sunday 25 October',
        'Monday 26 October',
      ]);
      const utcLabels = await allTimeLabels(visitor, link.path, '?tz=UTC');
      assert.deepEqual(utcLabels.slice(0, 5), ['20:00', '21:00', '22:00', '23:00', '00:00']);
      assert.ok(!utcLabels.some((l) => l.includes('(')));
    } finally {
      await local.close();
    }
  });

  test('no times at all', async () => {
    const p = await people(1);
    const period = tomorrow();
    await addBusy(server, p.recruiter.calendarId, period.start, period.end);
    const link = await singleLink(server, p.recruiter, { periods: [period] });
    const page = await new Visitor(server).get(link.path);
    assert.equal(page.status, 200);
    assert.match(page.body, /There are no times available right now\./);
    assert.deepEqual(optionKeysOf(page.body), []);
    // "None of these times work" only where times are shown; the organiser's contact instead.
    assert.ok(!page.body.includes('None of these times work'));
    assert.ok(!page.body.includes('method="post"'));
    assert.match(page.body, /Please contact the organiser who sent you this link/);
  });

  test('says which calendar source failed', async () => {
    const p = await people(2);
    const broken = p.engineers[1]!;
    await server.ctx.store.transaction((repos) =>
      repos.calendars.insert({
        id: `cal_ics_${counter}`,
        accountId: broken.sub,
        name: 'Feed',
        kind: 'ics',
        readOnly: true,
        primary: false,
        deleted: false,
        tzid: 'UTC',
        color: null,
        sourceSealed: null,
        version: 0,
        createdAt: server.clock.now(),
      }),
    );
    const link = await interviewLink(server, p, { periods: [tomorrow()] });
    const page = await new Visitor(server).get(link.path);
    assert.equal(page.status, 200);
    assert.match(page.body, /Some calendars could not be read just now/);
    assert.match(page.body, new RegExp(`Calendar cal_ics_${counter}: external calendars are not configured`));
    assert.ok(optionKeysOf(page.body).length > 0, 'the other engineer still makes times possible');
  });

  test('unknown token and unknown paths give HTML 404s', async () => {
    const visitor = new Visitor(server);
    for (const path of ['/book/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '/book/short', '/book/x/y/z']) {
      const page = await visitor.get(path);
      assert.equal(page.status, 404, path);
      assert.match(String(page.headers['content-type']), /^text\/html/);
      assert.match(page.body, /<h1>/);
    }
  });
});

describe('closed links', () => {
  test('disabled: display_message as plain text', async () => {
    const p = await people(1);
    const link = await singleLink(server, p.recruiter, { periods: [tomorrow()] });
    const stored = await server.ctx.store.read((repos) => repos.links.byId(server.applicationId, link.id));
    await disableLink(server.ctx, stored!, 'Filled, sorry <b>bold</b>\nSecond line');
    const visitor = new Visitor(server);
    const page = await visitor.get(link.path);
    assert.equal(page.status, 410);
    assert.match(page.body, /no longer available/);
    assert.ok(
      page.body.includes('<p class="message">Filled, sorry &lt;b&gt;bold&lt;/b&gt;\nSecond line</p>'),
    );
    assert.deepEqual(optionKeysOf(page.body), []);
  });

  test('expired: after the end of the last query period', async () => {
    const local = await startWebServer();
    try {
      const person = await local.createAccount('exp');
      const start = local.clock.now() + 2 * HOUR;
      const link = await singleLink(local, person, { periods: [{ start, end: start + 2 * HOUR }] });
      const visitor = new Visitor(local);
      const before = await visitor.get(link.path);
      assert.equal(before.status, 200);
      local.clock.set(start + 2 * HOUR);
      const page = await visitor.get(link.path);
      assert.equal(page.status, 410);
      assert.match(page.body, /This booking link has expired/);
      assert.deepEqual(optionKeysOf(page.body), []);
      // A form rendered before expiry does nothing now.
      const post = await visitor.post(`${link.path}/choose`, {
        csrf: csrfOf(before.body),
        option: optionKeysOf(before.body)[0]!,
      });
      assert.equal(post.status, 410);
      assert.equal((await eventsIn(local, person.calendarId, 0, Number.MAX_SAFE_INTEGER)).length, 0);
    } finally {
      await local.close();
    }
  });
});

describe('CSRF', () => {
  test('a POST without the cookie, without a token or with another session’s token does nothing', async () => {
    const p = await people(1);
    const link = await singleLink(server, p.recruiter, { periods: [tomorrow()] });
    const alice = new Visitor(server);
    const page = await alice.get(link.path);
    const option = optionKeysOf(page.body)[0]!;
    const token = csrfOf(page.body);
    const bob = new Visitor(server);
    await bob.get(link.path);

    const noCookie = new Visitor(server);
    const attempts = [
      await noCookie.post(`${link.path}/choose`, { csrf: token, option }),
      await alice.post(`${link.path}/choose`, { option }),
      await alice.post(`${link.path}/choose`, { csrf: `${token.slice(0, -2)}AA`, option }),
      await bob.post(`${link.path}/choose`, { csrf: token, option }),
      await alice.post(`${link.path}/none`, { csrf: 'x' }),
      await alice.post(`${link.path}/confirm`, { option }),
    ];
    for (const response of attempts) {
      assert.equal(response.status, 403);
      assert.match(response.body, /nothing was changed/);
    }
    assert.equal(await linkStatus(link), 'open');
    assert.equal((await eventsIn(server, p.recruiter.calendarId, 0, Number.MAX_SAFE_INTEGER)).length, 0);
    const outbox = await server.ctx.store.read((repos) => repos.outbox.list({ limit: 1000 }));
    assert.ok(!outbox.some((o) => o.payload.includes(link.id)));
  });

  test('a token for one link does not work on another', async () => {
    const p = await people(1);
    const one = await singleLink(server, p.recruiter, { periods: [tomorrow()] });
    const other = await people(1);
    const two = await singleLink(server, other.recruiter, { periods: [tomorrow()] });
    const visitor = new Visitor(server);
    const page = await visitor.get(one.path);
    // Same cookie value sent to the other link's path (as a hostile page could not, but still).
    const response = await visitor.post(`${two.path}/choose`, {
      csrf: csrfOf(page.body),
      option: optionKeysOf(page.body)[0]!,
    });
    assert.equal(response.status, 403);
  });
});

describe('no_confirm flow (plain form posts)', () => {
  test('choose books at once, the page then shows the itinerary; a second submit books nothing', async () => {
    const p = await people(2);
    const link = await interviewLink(server, p, {
      periods: [tomorrow()],
      redirectUri: 'https://app.example/after?from=rtseq',
      state: 'xyz 1',
    });
    const visitor = new Visitor(server);
    const page = await visitor.get(link.path);
    const options = optionKeysOf(page.body);
    const ten = options[timeLabelsOf(page.body).indexOf('10:00')]!;
    const csrf = csrfOf(page.body);
    const chosen = await visitor.post(`${link.path}/choose`, { csrf, option: ten, tz: 'Europe/London' });
    assert.equal(chosen.status, 303);
    assert.equal(chosen.location, `${link.path}?tz=Europe%2FLondon`);
    assert.equal(await linkStatus(link), 'completed');

    const done = await visitor.get(chosen.location!);
    assert.equal(done.status, 200);
    assert.match(done.body, /You are booked/);
    assert.match(done.body, /10:00<\/time> – <time[^>]*>11:00<\/time><\/span><b>Pre-screen/);
    assert.match(done.body, /11:00<\/time> – <time[^>]*>12:00<\/time><\/span><b>Face-to-face/);
    assert.match(done.body, new RegExp(`href="${link.path}/itinerary.ics"`));
    const continueHref = /id="continue" class="button primary" href="([^"]+)"/.exec(done.body)![1]!;
    const redirect = new URL(continueHref.replaceAll('&amp;', '&'));
    assert.equal(redirect.origin + redirect.pathname, 'https://app.example/after');
    assert.equal(redirect.searchParams.get('from'), 'rtseq');
    assert.equal(redirect.searchParams.get('state'), 'xyz 1');
    assert.equal(redirect.searchParams.get('real_time_sequencing_id'), link.id);
    assert.ok(!done.body.includes('http-equiv="refresh"'), 'the onward countdown is script, stoppable');

    const recruiterEvents = await eventsIn(server, p.recruiter.calendarId, 0, Number.MAX_SAFE_INTEGER);
    const engineerEvents = await eventsIn(server, p.engineers[0]!.calendarId, 0, Number.MAX_SAFE_INTEGER);
    assert.equal(recruiterEvents.length, 1);
    assert.equal(engineerEvents.length, 1);

    // The same form again, another option, and another visitor: all see the booked itinerary.
    const again = await visitor.post(`${link.path}/choose`, { csrf, option: ten });
    const another = await visitor.post(`${link.path}/choose`, { csrf, option: options[5]! });
    for (const response of [again, another]) {
      assert.equal(response.status, 200);
      assert.match(response.body, /You are booked/);
      assert.match(response.body, /10:00<\/time> –/);
      assert.match(response.body, /data-page="completed"/);
    }
    // Someone else opening the link sees the booked itinerary, not a claim that they booked it.
    const strangerPage = await new Visitor(server).get(link.path);
    assert.equal(strangerPage.status, 200);
    assert.match(strangerPage.body, /This link has already been booked/);
    assert.match(strangerPage.body, /10:00<\/time> –/);
    assert.ok(!strangerPage.body.includes('data-page="completed"'), 'no automatic redirect for others');
    assert.equal((await eventsIn(server, p.recruiter.calendarId, 0, Number.MAX_SAFE_INTEGER)).length, 1);
    const reservations = await server.ctx.store.read((repos) => repos.reservations.byLink(link.id));
    assert.equal(reservations.filter((r) => r.kind === 'booking').length, 2);
  });

  test('a GET to an action URL never books', async () => {
    const p = await people(1);
    const link = await singleLink(server, p.recruiter, { periods: [tomorrow()], selectionMode: 'confirm' });
    const visitor = new Visitor(server);
    const page = await visitor.get(link.path);
    const option = optionKeysOf(page.body)[0]!;
    for (const action of ['choose', 'confirm', 'back', 'none']) {
      const response = await visitor.get(`${link.path}/${action}?option=${option}&csrf=${csrfOf(page.body)}`);
      assert.equal(response.status, 303);
      assert.match(response.location ?? '', new RegExp(`^${link.path}(\\?tz=[^&]+)?$`));
    }
    assert.equal(await linkStatus(link), 'open');
  });

  test('a malformed option is refused and nothing is booked', async () => {
    const p = await people(1);
    const link = await singleLink(server, p.recruiter, { periods: [tomorrow()] });
    const visitor = new Visitor(server);
    const page = await visitor.get(link.path);
    const response = await visitor.post(`${link.path}/choose`, {
      csrf: csrfOf(page.body),
      option: 'DROP TABLE',
    });
    assert.equal(response.status, 400);
    // A well-formed option that was never offered is simply not available.
    const offGrid = await visitor.post(`${link.path}/choose`, {
      csrf: csrfOf(page.body),
      option: `0.${tomorrow().start + 7 * MINUTE}`,
    });
    assert.equal(offGrid.status, 303);
    assert.match(offGrid.location ?? '', /[?&]taken=booked$/);
    assert.match((await visitor.get(offGrid.location!)).body, /Nothing has been booked for you/);
    assert.equal(await linkStatus(link), 'open');
  });
});

describe('confirm flow (plain form posts)', () => {
  test('hold, other links see the participant busy, Back releases, Confirm books', async () => {
    const p = await people(2);
    const period = tomorrow();
    const link = await interviewLink(server, p, { periods: [period], selectionMode: 'confirm' });
    // Another link that needs only the recruiter, at the same times.
    const other = await singleLink(server, p.recruiter, { periods: [period], durationMinutes: 60 });
    const otherVisitor = new Visitor(server);
    const otherBefore = timeLabelsOf((await otherVisitor.get(other.path)).body);
    assert.ok(otherBefore.includes('09:00'));

    const visitor = new Visitor(server);
    const page = await visitor.get(link.path);
    const option = optionKeysOf(page.body)[0]!; // 09:00 pre-screen, 10:00 face-to-face
    const csrf = csrfOf(page.body);
    const chosen = await visitor.post(`${link.path}/choose`, { csrf, option, tz: 'Europe/London' });
    // POST-redirect-GET: the confirmation page is a GET of this session's hold.
    assert.equal(chosen.status, 303);
    assert.match(chosen.location ?? '', new RegExp(`^${link.path}/confirm\\?tz=Europe%2FLondon&option=`));
    const held = await visitor.get(chosen.location!);
    assert.equal(held.status, 200);
    assert.match(held.body, /Your itinerary/);
    assert.match(held.body, /09:00<\/time> – <time[^>]*>10:00<\/time><\/span><b>Pre-screen/);
    assert.match(held.body, /held for you until 08:05 \(5 minutes\)/);
    // Reloading it shows it again; another browser (no hold) is sent back to the times.
    assert.equal((await visitor.get(chosen.location!)).status, 200);
    assert.equal((await new Visitor(server).get(chosen.location!)).status, 303);
    assert.match(held.body, /action="\/book\/[^"]+\/confirm"/);
    assert.match(held.body, /action="\/book\/[^"]+\/back"/);
    assert.equal(await linkStatus(link), 'open');
    assert.equal((await eventsIn(server, p.recruiter.calendarId, 0, Number.MAX_SAFE_INTEGER)).length, 0);

    const otherDuring = timeLabelsOf((await otherVisitor.get(other.path)).body);
    assert.ok(!otherDuring.includes('09:00'), 'the hold makes the recruiter busy for other links');

    // The holder's own page still offers the held time (their hold does not block themselves).
    assert.ok(optionKeysOf((await visitor.get(link.path)).body).includes(option));

    const back = await visitor.post(`${link.path}/back`, { csrf, tz: 'Europe/London' });
    assert.equal(back.status, 303);
    assert.equal(back.location, `${link.path}?tz=Europe%2FLondon`);
    assert.ok(timeLabelsOf((await otherVisitor.get(other.path)).body).includes('09:00'), 'Back released it');

    const heldAgainAt = await visitor.post(`${link.path}/choose`, { csrf, option });
    assert.equal(heldAgainAt.status, 303);
    const heldAgain = await visitor.get(heldAgainAt.location!);
    assert.equal(heldAgain.status, 200);
    // After Back the hold is gone: the old confirmation URL leads back to the times.
    const released = await visitor.post(`${link.path}/back`, { csrf });
    assert.equal((await visitor.get(heldAgainAt.location!)).status, 303);
    assert.equal(released.status, 303);
    const heldThird = await visitor.post(`${link.path}/choose`, { csrf, option });
    assert.equal((await visitor.get(heldThird.location!)).status, 200);
    const confirmCsrf = csrfOf(heldAgain.body);
    const confirmOption = /name="option" value="([^"]+)"/.exec(heldAgain.body)![1]!;
    assert.equal(confirmOption, option);
    const confirmed = await visitor.post(`${link.path}/confirm`, {
      csrf: confirmCsrf,
      option: confirmOption,
      tz: 'UTC',
    });
    assert.equal(confirmed.status, 303);
    assert.equal(confirmed.location, `${link.path}?tz=UTC`);
    assert.equal(await linkStatus(link), 'completed');
    const done = await visitor.get(confirmed.location!);
    assert.match(done.body, /You are booked/);
    assert.equal((await eventsIn(server, p.recruiter.calendarId, 0, Number.MAX_SAFE_INTEGER)).length, 1);
    // Confirming twice books nothing more.
    const twice = await visitor.post(`${link.path}/confirm`, { csrf: confirmCsrf, option: confirmOption });
    assert.equal(twice.status, 200);
    assert.match(twice.body, /You are booked/);
    assert.equal((await eventsIn(server, p.recruiter.calendarId, 0, Number.MAX_SAFE_INTEGER)).length, 1);
  });

  test('another session of the link replaces its hold; other links see the time held until it expires', async () => {
    const p = await people(1);
    const period = tomorrow();
    const link = await singleLink(server, p.recruiter, { periods: [period], selectionMode: 'confirm' });
    const other = await singleLink(server, p.recruiter, { periods: [period], eventId: 'other-link' });
    const first = new Visitor(server);
    const second = new Visitor(server);
    const stranger = new Visitor(server);
    const page = await first.get(link.path);
    const option = optionKeysOf(page.body)[0]!;
    const heldAt = await first.post(`${link.path}/choose`, { csrf: csrfOf(page.body), option });
    assert.equal(heldAt.status, 303);
    const held = await first.get(heldAt.location!);
    assert.equal(held.status, 200);

    // Another link with the same participant sees the time held, and says so when chosen.
    const otherPage = await stranger.get(other.path);
    assert.ok(!optionKeysOf(otherPage.body).includes(option));
    const blocked = await stranger.post(`${other.path}/choose`, { csrf: csrfOf(otherPage.body), option });
    assert.equal(blocked.status, 303);
    assert.match(blocked.location ?? '', /[?&]taken=held$/);
    assert.match((await stranger.get(blocked.location!)).body, /someone else is holding that time/);

    // Another session of the same link still sees the time (a link's own hold never hides its
    // times, SPEC 5.6) and holding it replaces the first session's hold (one hold per link).
    const secondPage = await second.get(link.path);
    assert.ok(optionKeysOf(secondPage.body).includes(option));
    const secondHoldAt = await second.post(`${link.path}/choose`, { csrf: csrfOf(secondPage.body), option });
    assert.equal(secondHoldAt.status, 303);
    assert.match(secondHoldAt.location ?? '', /\/confirm\?/);
    const secondHold = await second.get(secondHoldAt.location!);
    assert.equal(secondHold.status, 200);
    assert.equal((await first.get(heldAt.location!)).status, 303, "the first session's hold was replaced");
    assert.ok(
      !optionKeysOf((await stranger.get(other.path)).body).includes(option),
      'held by the second now',
    );

    server.clock.advance(server.ctx.config.holdSeconds * 1000 + 1000);
    try {
      const afterExpiry = await stranger.get(other.path);
      assert.ok(optionKeysOf(afterExpiry.body).includes(option), 'the expired hold no longer blocks');
      const secondConfirm = await second.post(`${link.path}/confirm`, {
        csrf: csrfOf(secondHold.body),
        option,
      });
      assert.equal(secondConfirm.status, 303);

      const stale = await first.post(`${link.path}/confirm`, { csrf: csrfOf(held.body), option });
      assert.equal(stale.status, 409, 'someone else completed the link meanwhile');
      assert.match(stale.body, /this link has just been booked by someone else/);
      assert.equal((await eventsIn(server, p.recruiter.calendarId, 0, Number.MAX_SAFE_INTEGER)).length, 1);
    } finally {
      server.clock.advance(-(server.ctx.config.holdSeconds * 1000 + 1000));
    }
  });

  test('a session of the link books a time another session of it holds; the hold gives way', async () => {
    const p = await people(1);
    const link = await singleLink(server, p.recruiter, { periods: [tomorrow()], selectionMode: 'confirm' });
    const holder = new Visitor(server);
    const page = await holder.get(link.path);
    const option = optionKeysOf(page.body)[0]!;
    const heldAt = await holder.post(`${link.path}/choose`, { csrf: csrfOf(page.body), option });
    assert.equal((await holder.get(heldAt.location!)).status, 200);
    // A stale confirmation form of another session (it holds nothing) books the form's option.
    const other = new Visitor(server);
    const otherPage = await other.get(link.path);
    assert.ok(optionKeysOf(otherPage.body).includes(option));
    const booked = await other.post(`${link.path}/confirm`, { csrf: csrfOf(otherPage.body), option });
    assert.equal(booked.status, 303);
    assert.equal(await linkStatus(link), 'completed');
    const live = await server.ctx.store.read((repos) =>
      repos.reservations.liveIn(
        [p.recruiter.sub],
        { start: 0, end: Number.MAX_SAFE_INTEGER },
        server.clock.now(),
      ),
    );
    assert.deepEqual(
      live.map((r) => r.kind),
      ['booking'],
      'the hold is gone',
    );
  });
});

describe('taken meanwhile', () => {
  test('another link books the participant first: nothing written, fresh times shown', async () => {
    const p = await people(1);
    const period = tomorrow();
    const mine = await singleLink(server, p.recruiter, { periods: [period], eventId: 'mine' });
    const theirs = await singleLink(server, p.recruiter, { periods: [period], eventId: 'theirs' });
    const me = new Visitor(server);
    const them = new Visitor(server);
    const myPage = await me.get(mine.path);
    const theirPage = await them.get(theirs.path);
    const nine = optionKeysOf(myPage.body)[0]!;
    assert.equal(optionKeysOf(theirPage.body)[0], nine);

    assert.equal(
      (await them.post(`${theirs.path}/choose`, { csrf: csrfOf(theirPage.body), option: nine })).status,
      303,
    );
    const response = await me.post(`${mine.path}/choose`, {
      csrf: csrfOf(myPage.body),
      option: nine,
      tz: 'UTC',
    });
    assert.equal(response.status, 303);
    assert.match(response.location ?? '', /[?&]taken=booked$/);
    const freshPage = await me.get(response.location!);
    assert.equal(freshPage.status, 200);
    assert.match(freshPage.body, /that time was just booked by someone else/);
    assert.match(freshPage.body, /Nothing has been booked/);
    const fresh = optionKeysOf(freshPage.body);
    assert.ok(fresh.length > 0);
    assert.ok(!fresh.includes(nine), 'the fresh times leave out the taken one');
    assert.equal(await linkStatus(mine), 'open');
    const events = await eventsIn(server, p.recruiter.calendarId, 0, Number.MAX_SAFE_INTEGER);
    assert.equal(events.length, 1);
    // The fresh page's forms work: book another time.
    const retry = await me.post(`${mine.path}/choose`, { csrf: csrfOf(freshPage.body), option: fresh[0]! });
    assert.equal(retry.status, 303);
    assert.equal(await linkStatus(mine), 'completed');
  });
});

describe('none of these times work', () => {
  test('with a no_times_suitable_url: the organiser is told (callback queued)', async () => {
    const p = await people(1);
    const link = await singleLink(server, p.recruiter, {
      periods: [tomorrow()],
      noTimesSuitableUrl: 'http://127.0.0.1:9/none',
    });
    const visitor = new Visitor(server);
    const page = await visitor.get(link.path);
    const posted = await visitor.post(`${link.path}/none`, {
      csrf: csrfOf(page.body),
      tz: 'UTC',
      note: 'Mornings are hard <b>for me</b>',
    });
    assert.equal(posted.status, 303);
    assert.match(posted.location ?? '', new RegExp(`^${link.path}/none\\?tz=UTC&told=1$`));
    const response = await visitor.get(posted.location!);
    assert.equal(response.status, 200);
    assert.match(response.body, /the organiser has been told/);
    const outbox = await server.ctx.store.read((repos) => repos.outbox.list({ limit: 1000 }));
    const queued = outbox.filter(
      (o) => o.target === 'http://127.0.0.1:9/none' && o.payload.includes(link.id),
    );
    assert.equal(queued.length, 1);
    assert.match(queued[0]!.payload, /real_time_sequencing_no_times_suitable/);
    assert.equal(JSON.parse(queued[0]!.payload).note, 'Mornings are hard <b>for me</b>');
    assert.equal(await linkStatus(link), 'open');
  });

  test('without one: a neutral message', async () => {
    const p = await people(1);
    const link = await singleLink(server, p.recruiter, { periods: [tomorrow()] });
    const visitor = new Visitor(server);
    const page = await visitor.get(link.path);
    const posted = await visitor.post(`${link.path}/none`, { csrf: csrfOf(page.body) });
    assert.equal(posted.status, 303);
    const response = await visitor.get(posted.location!);
    assert.equal(response.status, 200);
    assert.match(response.body, /Thanks for letting us know/);
    assert.ok(!response.body.includes('has been told'));
    // A note over 1000 characters is refused, and nothing is sent.
    const long = await visitor.post(`${link.path}/none`, { csrf: csrfOf(page.body), note: 'x'.repeat(1001) });
    assert.equal(long.status, 400);
    assert.match(long.body, /at most 1000 characters/);
  });
});

describe('itinerary download', () => {
  test('one VEVENT per step, stable UIDs, DTSTAMP = completion time', async () => {
    const p = await people(1);
    const link = await interviewLink(server, p, { periods: [tomorrow()], summary: 'Loop; with, specials' });
    const visitor = new Visitor(server);
    assert.equal((await visitor.get(`${link.path}/itinerary.ics`)).status, 404, 'nothing booked yet');
    const page = await visitor.get(link.path);
    const completedAt = server.clock.now();
    await visitor.post(`${link.path}/choose`, {
      csrf: csrfOf(page.body),
      option: optionKeysOf(page.body)[0]!,
    });
    const ics = await visitor.get(`${link.path}/itinerary.ics`);
    assert.equal(ics.status, 200);
    assert.match(String(ics.headers['content-type']), /^text\/calendar; charset=utf-8/);
    assert.match(String(ics.headers['content-disposition']), /attachment; filename="itinerary.ics"/);
    assert.equal(ics.headers['cache-control'], 'no-store');
    const unfolded = ics.body.replace(/\r\n /g, '');
    assert.equal(unfolded.match(/BEGIN:VEVENT/g)?.length, 2);
    assert.ok(unfolded.includes(`UID:${link.id}-pre-screen@rtseq`));
    assert.ok(unfolded.includes(`UID:${link.id}-face-to-face@rtseq`));
    // Each titled "Step — Event" (text escaped per RFC 5545).
    assert.ok(unfolded.includes('SUMMARY:Pre-screen — Loop\\; with\\, specials'));
    assert.ok(unfolded.includes('SUMMARY:Face-to-face — Loop\\; with\\, specials'));
    assert.ok(unfolded.includes('METHOD:PUBLISH'));
    assert.ok(unfolded.includes('TZID:Europe/London'));
    const stamp = iso(completedAt).replace(/[-:]/g, '');
    assert.equal(unfolded.match(new RegExp(`DTSTAMP:${stamp}`, 'g'))?.length, 2);
    assert.ok(ics.body.endsWith('END:VCALENDAR\r\n'));
    // Downloading again gives the same text (stable UIDs and stamp).
    assert.equal((await visitor.get(`${link.path}/itinerary.ics`)).body, ics.body);
  });
});

describe('rate limit', () => {
  test('over the per-IP page limit: 429 page with Retry-After', async () => {
    const local = await startWebServer({ env: { PAGE_RATE_LIMIT_PER_SECOND: '3' } });
    try {
      const person = await local.createAccount('rl');
      const link = await singleLink(local, person);
      const visitor = new Visitor(local);
      const statuses: number[] = [];
      let limited: Awaited<ReturnType<Visitor['get']>> | undefined;
      for (let i = 0; i < 5; i++) {
        const response = await visitor.get(link.path);
        statuses.push(response.status);
        if (response.status === 429) limited = response;
      }
      assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
      assert.ok(limited !== undefined);
      assert.equal(limited.headers['retry-after'], '1');
      assert.match(String(limited.headers['content-type']), /^text\/html/);
      assert.match(limited.body, /Too many requests/);
      // Assets are not counted.
      const css = /href="(\/book\/assets\/[^"]+)"/.exec(limited.body)![1]!;
      assert.equal((await visitor.get(css)).status, 200);
      local.clock.advance(1000);
      assert.equal((await visitor.get(link.path)).status, 200);
    } finally {
      await local.close();
    }
  });
});

describe('link created through the wire reader', () => {
  test('a one-step sequence shows its duration instead of a step list', async () => {
    const p = await people(1);
    const link = await createSequencingLink(server, {
      oauth: { redirect_uri: 'https://example.com/r' },
      event: {
        event_id: 'e1',
        summary: 'Chat',
        description: 'Bring <your> CV\nand a smile',
        location: { description: 'Room "A"' },
      },
      target_calendars: [{ sub: p.recruiter.sub, calendar_id: p.recruiter.calendarId }],
      availability: {
        query_periods: [{ start: iso(tomorrow().start), end: iso(tomorrow().end) }],
        sequence: [
          {
            sequence_id: 1,
            participants: [{ members: [{ sub: p.recruiter.sub }] }],
            required_duration: { minutes: 90 },
          },
        ],
      },
    });
    const page = await new Visitor(server).get(link.path);
    assert.equal(page.status, 200);
    assert.match(page.body, /<span class="label">Duration:<\/span> 1 hr, 30 mins/);
    assert.ok(page.body.includes('Bring &lt;your&gt; CV\nand a smile'));
    assert.ok(page.body.includes('Room &quot;A&quot;'));
    assert.match(page.body, /data-tz="UTC"/);
  });
});
