/**
 * SPEC 3 token lifecycle and SPEC 7 races, with the requests the client libraries send:
 * pycronofy `application_calendar` / `refresh_authorization` / `revoke_authorization` (JSON bodies,
 * `Authorization: Bearer None`), the Ruby gem's `refresh!` / `revoke!` / `revoke_by_sub` (oauth2
 * form bodies with `auth_scheme: :request_body`), and `create_calendar` raced.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe('token lifecycle', () => {
  let server: TestServer;
  before(async () => {
    // Losing refreshes are 400s, which count as failed authentications from this one address.
    server = await startTestServer({
      env: {
        ACCESS_TOKEN_SECONDS: '10800',
        AUTH_FAILURES_PER_MINUTE: '100000',
        RATE_LIMIT_PER_SECOND: '10000',
        RATE_LIMIT_PER_MINUTE: '100000',
      },
    });
  });
  after(() => server.close());

  /** pycronofy Client(client_id, client_secret).application_calendar(id): JSON, `Bearer None`. */
  const applicationCalendar = async (id: string) => {
    const res = await server.call('POST', '/v1/application_calendars', {
      headers: { authorization: 'Bearer None', 'content-type': 'application/json' },
      rawBody: JSON.stringify({
        client_id: server.clientId,
        client_secret: server.clientSecret,
        application_calendar_id: id,
      }),
    });
    assert.equal(res.status, 200, res.text);
    return res.json;
  };
  /** cronofy-ruby Auth#refresh! (oauth2 gem, request_body auth scheme): a form body. */
  const refresh = (refreshToken: string) =>
    server.call('POST', '/oauth/token', {
      headers: FORM,
      rawBody: form({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: server.clientId,
        client_secret: server.clientSecret,
      }),
    });
  const calendars = (token: string) => server.call('GET', '/v1/calendars', { token });

  it('every token response carries expires_in; access tokens stop working after it', async () => {
    const first = await applicationCalendar('life-1');
    assert.equal(first.expires_in, 10800);
    assert.equal((await calendars(first.access_token)).status, 200);
    server.clock.advance(10_799_000);
    assert.equal((await calendars(first.access_token)).status, 200);
    server.clock.advance(1000);
    assert.equal((await calendars(first.access_token)).status, 401, 'expired after 10800 s');
    const renewed = await refresh(first.refresh_token);
    assert.equal(renewed.status, 200, renewed.text);
    assert.equal(renewed.json.expires_in, 10800);
    assert.notEqual(renewed.json.refresh_token, first.refresh_token, 'the refresh token rotates');
    assert.equal((await calendars(renewed.json.access_token)).status, 200);
  });

  it('refresh spends the old refresh token exactly once, also when 20 race', async () => {
    const grant = await applicationCalendar('life-race');
    const answers = await Promise.all(Array.from({ length: 20 }, () => refresh(grant.refresh_token)));
    assert.deepEqual(
      answers.filter((a) => a.status === 200).map((a) => a.status),
      [200],
    );
    for (const loser of answers.filter((a) => a.status !== 200)) {
      assert.equal(loser.status, 400);
      assert.deepEqual(loser.json, { error: 'invalid_grant' });
    }
    assert.equal((await calendars(grant.access_token)).status, 200, 'the old access token still works');
    const unknown = await refresh('nope');
    assert.deepEqual([unknown.status, unknown.json], [400, { error: 'invalid_grant' }]);
  });

  it('pycronofy revoke_authorization (JSON, access token) revokes the whole grant; unknown is 200', async () => {
    const grant = await applicationCalendar('life-revoke');
    const renewed = (await refresh(grant.refresh_token)).json;
    const other = await applicationCalendar('life-revoke');
    const res = await server.call('POST', '/oauth/token/revoke', {
      headers: { authorization: `Bearer ${renewed.access_token}`, 'content-type': 'application/json' },
      rawBody: JSON.stringify({
        client_id: server.clientId,
        client_secret: server.clientSecret,
        token: renewed.access_token,
      }),
    });
    assert.equal(res.status, 200, res.text);
    assert.equal((await calendars(renewed.access_token)).status, 401);
    assert.equal((await calendars(grant.access_token)).status, 401, 'the grant before the refresh too');
    assert.equal((await refresh(renewed.refresh_token)).status, 400);
    assert.equal((await calendars(other.access_token)).status, 200, 'another grant of the account lives');
    const unknown = await server.call('POST', '/oauth/token/revoke', {
      headers: FORM,
      rawBody: form({ client_id: server.clientId, client_secret: server.clientSecret, token: 'nope' }),
    });
    assert.equal(unknown.status, 200);
  });

  it('cronofy-ruby revoke_by_sub (form) revokes every grant of the account', async () => {
    const a = await applicationCalendar('life-sub');
    const b = await applicationCalendar('life-sub');
    const res = await server.call('POST', '/oauth/token/revoke', {
      headers: FORM,
      rawBody: form({ client_id: server.clientId, client_secret: server.clientSecret, sub: a.sub }),
    });
    assert.equal(res.status, 200, res.text);
    for (const token of [a.access_token, b.access_token]) assert.equal((await calendars(token)).status, 401);
    assert.equal((await refresh(b.refresh_token)).status, 400);
  });

  it('application_calendars for one id racing: one account, every answer 200', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => applicationCalendar('life-same')));
    assert.equal(new Set(answers.map((a) => a.sub)).size, 1);
  });

  it('calendar names are unique per account without case, also when creates race', async () => {
    const account = await server.createAccount('names');
    const names = ['Team', 'team', 'TEAM ', ' Team', 'tEaM', 'Team', 'team', 'TEAM'];
    const answers = await Promise.all(
      names.map((name) =>
        server.call('POST', '/v1/calendars', {
          token: account.accessToken,
          body: { profile_id: account.profileId, name },
        }),
      ),
    );
    assert.deepEqual(
      answers.filter((a) => a.status === 200).map((a) => a.status),
      [200],
    );
    for (const loser of answers.filter((a) => a.status !== 200)) {
      assert.equal(loser.status, 422, loser.text);
      assert.equal(loser.json.errors.name[0].key, 'errors.duplicate_calendar_name');
    }
    const list = await server.call('GET', '/v1/calendars', { token: account.accessToken });
    assert.equal(
      list.json.calendars.filter(
        (c: { calendar_name: string }) => c.calendar_name.trim().toLowerCase() === 'team',
      ).length,
      1,
    );
  });
});
