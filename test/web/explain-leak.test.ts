/**
 * SPEC 5.7: the invitee's page never shows why there are no times (the reasons name other people's
 * calendars). A link whose loop has no times is explained to the application, and its page, the
 * live poll and a page asked with `?explain=true` carry no reason code, no member's sub and no
 * member's name.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { REASON_CODES } from '../../src/domain/engine/explain.ts';
import { addBusy, interviewLink, startWebServer, type TestServer, Visitor } from './fixtures.ts';

const HOUR = 3_600_000;
let server: TestServer;

before(async () => {
  server = await startWebServer();
});
after(() => server.close());

test('a no-times page shows no reasons, subs or names of the members', async () => {
  const recruiter = await server.createAccount('leak-recruiter', { name: 'Riley Recruiter' });
  const first = await server.createAccount('leak-eng-1', { name: 'Quinn Engineer' });
  const second = await server.createAccount('leak-eng-2', { name: 'Sasha Engineer' });
  const day = Math.floor(server.clock.now() / (24 * HOUR)) * 24 * HOUR + 24 * HOUR;
  const period = { start: day + 9 * HOUR, end: day + 17 * HOUR };
  // Both engineers busy all day: the face-to-face step has nobody (fully_busy for both).
  await addBusy(server, first.calendarId, period.start - HOUR, period.end + HOUR);
  await addBusy(server, second.calendarId, period.start - HOUR, period.end + HOUR);
  const link = await interviewLink(server, { recruiter, engineers: [first, second] }, { periods: [period] });

  const explained = await server.call('GET', `/v1/real_time_sequencing/${link.id}?explain=true`, {
    token: server.clientSecret,
  });
  assert.equal(explained.status, 200, explained.text);
  assert.deepEqual(
    explained.json.explanation.reasons.map((r: { code: string; subs: string[] }) => [r.code, r.subs]),
    [['fully_busy', [first.sub, second.sub]]],
    'the application is told why',
  );

  const visitor = new Visitor(server);
  const pages = [
    await visitor.get(link.path),
    await visitor.get(`${link.path}?explain=true`),
    await visitor.get(`${link.path}/live?from=${period.start}&to=${period.end}`),
  ];
  assert.match(pages[0]!.body, /There are no times available right now\./);
  for (const page of pages) {
    assert.equal(page.status, 200);
    for (const code of REASON_CODES) assert.ok(!page.body.includes(code), `${code} on the page`);
    for (const word of [first.sub, second.sub, recruiter.sub, 'Quinn', 'Sasha', 'Riley', 'explanation']) {
      assert.ok(!page.body.includes(word), `${word} on the page`);
    }
  }
});
