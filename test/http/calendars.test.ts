import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestAccount, type TestServer } from '../support/server.ts';

describe('calendars API', () => {
  let server: TestServer;
  let alice: TestAccount;
  let bob: TestAccount;

  before(async () => {
    server = await startTestServer();
    alice = await server.createAccount('alice', { tzid: 'Europe/London', name: 'Alice' });
    bob = await server.createAccount('bob');
  });
  after(() => server.close());

  it('lists the account calendars with every reference 7.5 field', async () => {
    const res = await server.call('GET', '/v1/calendars', { token: alice.accessToken });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, {
      sub: alice.sub,
      calendars: [
        {
          provider_name: 'cronofy',
          profile_id: alice.profileId,
          profile_name: 'Alice',
          calendar_id: alice.calendarId,
          calendar_name: 'Alice',
          calendar_readonly: false,
          calendar_deleted: false,
          calendar_primary: true,
          calendar_integrated_conferencing_available: false,
          calendar_attachments_available: false,
          permission_level: 'unrestricted',
        },
      ],
    });
  });

  it('needs an account access token', async () => {
    const none = await server.call('GET', '/v1/calendars');
    assert.equal(none.status, 401);
    assert.equal(none.json.errors.authorization[0].key, 'errors.unauthorized');
    const secret = await server.call('GET', '/v1/calendars', { token: server.clientSecret });
    assert.equal(secret.status, 401);
    const refresh = await server.call('GET', '/v1/calendars', { token: alice.refreshToken });
    assert.equal(refresh.status, 401);
  });

  it('creates a calendar (200) that the list then shows, in the primary calendar zone', async () => {
    const res = await server.call('POST', '/v1/calendars', {
      token: alice.accessToken,
      body: { profile_id: alice.profileId, name: 'Interviews', color: '#49BED8' },
    });
    assert.equal(res.status, 200);
    const calendar = res.json.calendar;
    assert.match(calendar.calendar_id, /^cal_/);
    assert.deepEqual(
      { ...calendar, calendar_id: 'x' },
      {
        provider_name: 'cronofy',
        profile_id: alice.profileId,
        profile_name: 'Alice',
        calendar_id: 'x',
        calendar_name: 'Interviews',
        calendar_readonly: false,
        calendar_deleted: false,
        calendar_primary: false,
        calendar_integrated_conferencing_available: false,
        calendar_attachments_available: false,
        permission_level: 'unrestricted',
        calendar_color: '#49BED8',
      },
    );
    const list = await server.call('GET', '/v1/calendars', { token: alice.accessToken });
    assert.deepEqual(
      list.json.calendars.map((c: { calendar_name: string }) => c.calendar_name),
      ['Alice', 'Interviews'],
    );
    const stored = await server.ctx.store.read((repos) => repos.calendars.byId(calendar.calendar_id));
    assert.equal(stored?.tzid, 'Europe/London');
  });

  it('refuses a duplicate name (any case) and an unknown profile, both at once', async () => {
    const res = await server.call('POST', '/v1/calendars', {
      token: alice.accessToken,
      body: { profile_id: bob.profileId, name: ' interviews ' },
    });
    assert.equal(res.status, 422);
    assert.deepEqual(Object.keys(res.json.errors).sort(), ['name', 'profile_id']);
    assert.equal(res.json.errors.name[0].key, 'errors.duplicate_calendar_name');
    assert.equal(res.json.errors.profile_id[0].key, 'errors.unknown_profile');
  });

  it('reports every field problem together', async () => {
    const res = await server.call('POST', '/v1/calendars', {
      token: alice.accessToken,
      body: { profile_id: 12, name: '', color: 'blue' },
    });
    assert.equal(res.status, 422);
    assert.equal(res.json.errors.profile_id[0].key, 'errors.invalid_type');
    assert.equal(res.json.errors.name[0].key, 'errors.required');
    assert.equal(res.json.errors.color[0].key, 'errors.invalid_format');
    const missing = await server.call('POST', '/v1/calendars', { token: alice.accessToken, body: {} });
    assert.deepEqual(Object.keys(missing.json.errors).sort(), ['name', 'profile_id']);
    const notObject = await server.call('POST', '/v1/calendars', { token: alice.accessToken, body: [1] });
    assert.equal(notObject.status, 422);
    assert.equal(notObject.json.errors.body[0].key, 'errors.invalid_type');
  });

  it('treats null optional fields as absent', async () => {
    const res = await server.call('POST', '/v1/calendars', {
      token: bob.accessToken,
      body: { profile_id: bob.profileId, name: 'Second', color: null },
    });
    assert.equal(res.status, 200);
    assert.equal('calendar_color' in res.json.calendar, false);
  });

  it('never shows another account its calendars', async () => {
    const res = await server.call('GET', '/v1/calendars', { token: bob.accessToken });
    const ids = res.json.calendars.map((c: { calendar_id: string }) => c.calendar_id);
    assert.equal(ids.includes(alice.calendarId), false);
    assert.equal(res.json.sub, bob.sub);
  });
});
