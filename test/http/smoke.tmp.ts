import { startTestServer } from '../support/server.ts';

const s = await startTestServer({ pageSize: 2 });
const a = await s.createAccount('alice', { tzid: 'Europe/London' });
const log = (r: any) => console.log(r.status, r.text.slice(0, 600));
log(await s.call('GET', '/v1/calendars', { token: a.accessToken }));
log(
  await s.call('POST', '/v1/calendars', {
    token: a.accessToken,
    body: { profile_id: a.profileId, name: 'Work' },
  }),
);
log(
  await s.call('POST', '/v1/calendars', { token: a.accessToken, body: { profile_id: 'x', name: 'work ' } }),
);
for (let i = 0; i < 5; i++)
  log(
    await s.call('POST', `/v1/calendars/${a.calendarId}/events`, {
      token: a.accessToken,
      body: { event_id: `e${i}`, summary: 'S', start: '2026-03-29', end: '2026-03-30', transparency: null },
    }),
  );
log(await s.call('GET', '/v1/events?tzid=Etc/UTC', { token: a.accessToken }));
const r = await s.call('GET', '/v1/events?tzid=Etc/UTC', { token: a.accessToken });
log(
  await s.call('GET', r.json.pages.next_page.replace(s.url, '') + '?tzid=x&from=bad', {
    token: a.accessToken,
  }),
);
log(await s.call('GET', '/v1/free_busy?tzid=Europe/London&localized_times=true', { token: a.accessToken }));
log(
  await s.call('DELETE', '/v1/availability_rules/x', {
    token: a.accessToken,
    headers: { 'content-type': 'application/json' },
  }),
);
log(await s.call('DELETE', '/v1/availability_rules/x', { token: a.accessToken }));
log(await s.call('GET', '/v1/openapi.json'));
await s.close();
