/**
 * Issue 21, item 8: a choice refused because an external calendar could not be read (SPEC 8: a
 * failing source makes its member unavailable, never silently free) tells the invitee that the
 * calendar could not be checked, not that the time was taken; nothing is booked.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  csrfOf,
  eventsIn,
  interviewLink,
  optionKeysOf,
  startWebServer,
  type TestServer,
  Visitor,
} from './fixtures.ts';

const HOUR = 3_600_000;
let server: TestServer;

before(async () => {
  server = await startWebServer();
});
after(async () => {
  await server.close();
});

test('a choice that cannot be checked against a failing calendar says so, and books nothing', async () => {
  const recruiter = await server.createAccount('unchecked-rec', { name: 'Riley' });
  const engineers = [
    await server.createAccount('unchecked-eng-0'),
    await server.createAccount('unchecked-eng-1'),
  ];
  // An ICS calendar this server cannot read (no external source is configured in tests).
  await server.ctx.store.transaction((repos) =>
    repos.calendars.insert({
      id: 'cal_ics_unchecked',
      accountId: engineers[1]!.sub,
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
  const day = Math.floor(server.clock.now() / (24 * HOUR)) * 24 * HOUR + 24 * HOUR;
  const link = await interviewLink(
    server,
    { recruiter, engineers },
    { periods: [{ start: day + 9 * HOUR, end: day + 17 * HOUR }] },
  );
  const visitor = new Visitor(server);
  const page = await visitor.get(link.path);
  const option = optionKeysOf(page.body)[0]!;
  assert.ok(option !== undefined, 'the other engineer still makes times possible');

  const response = await visitor.post(`${link.path}/choose`, { csrf: csrfOf(page.body), option, tz: 'UTC' });
  assert.equal(response.status, 303);
  assert.match(response.location ?? '', /[?&]taken=unchecked$/);
  const told = await visitor.get(response.location!);
  assert.equal(told.status, 200);
  assert.match(told.body, /one of the calendars could not be checked just now/);
  assert.doesNotMatch(told.body, /just booked by someone else/);
  for (const person of [recruiter, ...engineers]) {
    assert.deepEqual(await eventsIn(server, person.calendarId, 0, Number.MAX_SAFE_INTEGER), []);
  }
});
