/**
 * SPEC 8b end to end over HTTP: registered redirect URIs, the authorization page's forms (cookie
 * and CSRF as a browser sends them), the code exchange through the official Node client and as
 * Ruby's oauth2 gem sends it (a form), replay, expiry and binding of codes, and the account,
 * userinfo, profiles, revoke and link-token calls as Node, Python, Ruby and PHP send them. A real
 * ICS feed server and, when installed, a real Radicale.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { redactUrl } from '../../src/server.ts';
import { type IcsFeedServer, startIcsFeedServer } from '../support/ics-feed-server.ts';
import { createCalendar, putRawEvent, type RadicaleServer, startRadicale } from '../support/radicale.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const require = createRequire(import.meta.url);
type Client = {
  urls: { api: string };
  requestAccessToken(options: Record<string, string>): Promise<Record<string, unknown>>;
  accountInformation(options?: Record<string, string>): Promise<Record<string, unknown>>;
  userInfo(options?: Record<string, string>): Promise<Record<string, unknown>>;
  profileInformation(options?: Record<string, string>): Promise<{ profiles: Record<string, unknown>[] }>;
  revokeProfileAuthorization(options: Record<string, string>): Promise<unknown>;
};
const Cronofy = require('cronofy') as new (options: Record<string, string>) => Client;

const REDIRECT = 'https://app.example/oauth/callback?from=rtseq';
const PY = { 'content-type': 'application/json', 'user-agent': 'pycronofy 2.0.0' };
const PHP = { 'content-type': 'application/json; charset=utf-8', host: 'api.cronofy.com' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function feed(start: string, end: string): string {
  const stamp = (iso: string) => iso.replace(/[-:]/g, '');
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//rtseq tests//EN',
    'BEGIN:VEVENT',
    'UID:feed-1',
    'DTSTAMP:20260101T000000Z',
    `DTSTART:${stamp(start)}`,
    `DTEND:${stamp(end)}`,
    'SUMMARY:Dentist',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

const unescapeHtml = (text: string) =>
  text.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'");

/** One browser on the page: its cookie, and the hidden fields of the page's last form. */
class Person {
  cookie = '';
  readonly server: TestServer;
  constructor(server: TestServer) {
    this.server = server;
  }

  async open(params: Record<string, string>) {
    const res = await this.server.app.inject({
      method: 'GET',
      url: `/oauth/authorize?${new URLSearchParams(params).toString()}`,
      headers: { cookie: this.cookie },
    });
    const set = res.headers['set-cookie'];
    if (typeof set === 'string') this.cookie = set.split(';')[0]!;
    return res;
  }

  hiddenFields(body: string): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const m of body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      fields[m[1]!] = unescapeHtml(m[2]!);
    return fields;
  }

  async submit(page: string, fields: Record<string, string>) {
    const body = new URLSearchParams({ ...this.hiddenFields(page), ...fields }).toString();
    return this.server.app.inject({
      method: 'POST',
      url: '/oauth/authorize',
      headers: { ...FORM, cookie: this.cookie },
      payload: body,
    });
  }
}

const codeOf = (location: unknown) => new URL(String(location)).searchParams.get('code') ?? '';

describe('connected accounts (SPEC 8b)', () => {
  let server: TestServer;
  let feedServer: IcsFeedServer;
  let radicale: RadicaleServer | null;
  let client: Client;
  const base = () => ({
    response_type: 'code',
    client_id: server.clientId,
    redirect_uri: REDIRECT,
    scope: 'read_events create_event',
    state: 'st&te=1',
  });

  before(async () => {
    server = await startTestServer({
      external: { allowPrivate: true },
      env: { PAGE_RATE_LIMIT_PER_SECOND: '1000' },
    });
    feedServer = await startIcsFeedServer(feed('2026-03-03T10:00:00Z', '2026-03-03T11:00:00Z'));
    radicale = await startRadicale();
    const set = await server.call('PATCH', '/v1/application', {
      token: server.clientSecret,
      body: { redirect_uris: [REDIRECT, 'http://localhost:3000/cb'] },
    });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.json.application.redirect_uris, [REDIRECT, 'http://localhost:3000/cb']);
    client = new Cronofy({ client_id: server.clientId, client_secret: server.clientSecret });
    client.urls.api = server.url;
  });
  after(async () => {
    await feedServer.stop();
    await radicale?.stop();
    await server.close();
  });

  /** The account's free periods on 3 March, 09:00-12:00. */
  async function periods(sub: string): Promise<string[][]> {
    const res = await server.call('POST', '/v1/availability', {
      token: server.clientSecret,
      body: {
        participants: [{ members: [{ sub }], required: 'all' }],
        required_duration: { minutes: 60 },
        query_periods: [{ start: '2026-03-03T09:00:00Z', end: '2026-03-03T12:00:00Z' }],
      },
    });
    assert.equal(res.status, 200, res.text);
    return res.json.available_periods.map((p: { start: string; end: string }) => [p.start, p.end]);
  }

  /** Through the page with an ICS feed: the code from the redirect. */
  async function connectFeed(extra: Record<string, string> = {}): Promise<string> {
    const person = new Person(server);
    const page = await person.open({ ...base(), provider_name: 'ics', ...extra });
    assert.equal(page.statusCode, 200, page.body);
    const done = await person.submit(page.body, { action: 'connect', url: feedServer.url });
    assert.equal(done.statusCode, 303, done.body);
    const location = new URL(String(done.headers.location));
    assert.equal(`${location.origin}${location.pathname}`, 'https://app.example/oauth/callback');
    assert.equal(location.searchParams.get('from'), 'rtseq', "the redirect URI's own query stays");
    assert.equal(location.searchParams.get('state'), 'st&te=1');
    return codeOf(done.headers.location);
  }

  it('redirect URIs: PATCH checks every entry and lists them in GET', async () => {
    const bad = await server.call('PATCH', '/v1/application', {
      token: server.clientSecret,
      body: { redirect_uris: ['ftp://x.example/', 'https://ok.example/#frag', 7] },
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(Object.keys(bad.json.errors).sort(), [
      'redirect_uris[0]',
      'redirect_uris[1]',
      'redirect_uris[2]',
    ]);
    const read = await server.call('GET', '/v1/application', { token: server.clientSecret });
    assert.deepEqual(read.json.application.redirect_uris, [REDIRECT, 'http://localhost:3000/cb']);
  });

  it('an unknown client or an unregistered redirect URI is an error page that redirects nowhere', async () => {
    const person = new Person(server);
    for (const params of [
      { ...base(), client_id: 'nobody' },
      { ...base(), redirect_uri: 'https://evil.example/steal' },
      { ...base(), redirect_uri: `${REDIRECT}&x=1` },
    ]) {
      const res = await person.open(params);
      assert.equal(res.statusCode, 400);
      assert.equal(res.headers.location, undefined);
      assert.doesNotMatch(res.body, /evil\.example/);
      assert.match(res.body, /cannot be used/);
    }
    const wrongType = await person.open({ ...base(), response_type: 'token' });
    assert.equal(wrongType.statusCode, 303);
    assert.equal(
      new URL(String(wrongType.headers.location)).searchParams.get('error'),
      'unsupported_response_type',
    );
  });

  it('cancel sends error=access_denied with the state; a post without the cookie changes nothing', async () => {
    const person = new Person(server);
    const page = await person.open(base());
    // The page's forms may end in a redirect to the registered URI's origin, and nowhere else.
    assert.match(
      String(page.headers['content-security-policy']),
      /form-action 'self' https:\/\/app\.example;/,
    );
    assert.equal(page.headers['x-frame-options'], 'DENY');
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.match(page.body, /id="provider-caldav"/);
    assert.match(page.body, /id="provider-ics"/);
    const stranger = new Person(server);
    const forged = await stranger.submit(page.body, { action: 'cancel' });
    assert.equal(forged.statusCode, 403);
    const cancelled = await person.submit(page.body, { action: 'cancel' });
    assert.equal(cancelled.statusCode, 303);
    const location = new URL(String(cancelled.headers.location));
    assert.equal(location.searchParams.get('error'), 'access_denied');
    assert.equal(location.searchParams.get('state'), 'st&te=1');
    assert.equal(location.searchParams.get('code'), null);
  });

  it('a code exchanged by the Node client answers like application_calendars, once', async () => {
    const code = await connectFeed();
    const token = await client.requestAccessToken({ code, redirect_uri: REDIRECT });
    assert.deepEqual(Object.keys(token).sort(), [
      'access_token',
      'account_id',
      'expires_in',
      'linking_profile',
      'refresh_token',
      'scope',
      'sub',
      'token_type',
    ]);
    assert.equal(token.account_id, token.sub);
    const profile = token.linking_profile as Record<string, string>;
    assert.equal(profile.provider_name, 'ics');
    assert.match(profile.profile_id!, /^pro_/);
    assert.equal(profile.profile_name, new URL(feedServer.url).host);
    const accessToken = String(token.access_token);
    assert.equal((await server.call('GET', '/v1/account', { token: accessToken })).status, 200);

    // The feed's busy hour counts for the new account at once.
    const free = await server.call('POST', '/v1/availability', {
      token: server.clientSecret,
      body: {
        participants: [{ members: [{ sub: token.sub }], required: 'all' }],
        required_duration: { minutes: 60 },
        query_periods: [{ start: '2026-03-03T09:00:00Z', end: '2026-03-03T12:00:00Z' }],
      },
    });
    assert.equal(free.status, 200, free.text);
    assert.deepEqual(
      free.json.available_periods.map((p: { start: string; end: string }) => [p.start, p.end]),
      [
        ['2026-03-03T09:00:00Z', '2026-03-03T10:00:00Z'],
        ['2026-03-03T11:00:00Z', '2026-03-03T12:00:00Z'],
      ],
    );

    // A replay is invalid_grant and revokes what the first use issued.
    await assert.rejects(
      client.requestAccessToken({ code, redirect_uri: REDIRECT }),
      (error: { statusCode?: number; message: string }) => {
        assert.equal(error.statusCode, 400);
        assert.match(error.message, /invalid_grant/);
        return true;
      },
    );
    assert.equal((await server.call('GET', '/v1/account', { token: accessToken })).status, 401);
  });

  it("Ruby's form-encoded exchange; wrong redirect URI, another application and expiry are invalid_grant", async () => {
    const exchange = (code: string, fields: Record<string, string> = {}) =>
      server.call('POST', '/oauth/token', {
        headers: FORM,
        rawBody: new URLSearchParams({
          client_id: server.clientId,
          client_secret: server.clientSecret,
          code,
          grant_type: 'authorization_code',
          redirect_uri: REDIRECT,
          ...fields,
        }).toString(),
      });
    const wrongUri = await exchange(await connectFeed(), { redirect_uri: 'http://localhost:3000/cb' });
    assert.equal(wrongUri.status, 400);
    assert.deepEqual(wrongUri.json, { error: 'invalid_grant' });

    const other = await server.createApplication('other');
    const foreign = await exchange(await connectFeed(), {
      client_id: other.clientId,
      client_secret: other.clientSecret,
    });
    assert.deepEqual(foreign.json, { error: 'invalid_grant' });

    const late = await connectFeed();
    server.clock.advance(10 * 60_000);
    assert.deepEqual((await exchange(late)).json, { error: 'invalid_grant' });
    server.clock.advance(-10 * 60_000);

    const ok = await exchange(await connectFeed());
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.linking_profile.provider_name, 'ics');
  });

  it('account, userinfo and profiles through the Node client; link tokens add a profile; revoke forgets it', async () => {
    const first = await client.requestAccessToken({ code: await connectFeed(), redirect_uri: REDIRECT });
    const accessToken = String(first.access_token);
    const account = await client.accountInformation({ access_token: accessToken });
    assert.deepEqual(Object.keys(account), ['account']);
    assert.equal((account.account as Record<string, string>).account_id, first.sub);

    // PHP's requestLinkToken posts `[]`; the token links a second feed into the same account.
    const linkRes = await server.call('POST', '/v1/link_tokens', {
      token: accessToken,
      headers: PHP,
      rawBody: '[]',
    });
    assert.equal(linkRes.status, 200, linkRes.text);
    // Ruby's link_token (oauth2 over Faraday) labels its body-less POST as a form; seen when the gem
    // itself was run against rtseq (docs/sdk-compatibility.md).
    const rubyLink = await server.call('POST', '/v1/link_tokens', {
      token: accessToken,
      headers: { ...FORM, 'user-agent': 'Cronofy Ruby 0.41.2' },
      rawBody: '',
    });
    assert.equal(rubyLink.status, 200, rubyLink.text);
    assert.notEqual(rubyLink.json.link_token, linkRes.json.link_token);
    const second = await client.requestAccessToken({
      code: await connectFeed({ link_token: linkRes.json.link_token, provider_name: 'ics' }),
      redirect_uri: REDIRECT,
    });
    assert.equal(second.sub, first.sub, 'the link token added the profile to the same account');
    const used = await new Person(server).open({ ...base(), link_token: linkRes.json.link_token });
    assert.equal(new URL(String(used.headers.location)).searchParams.get('error'), 'invalid_request');

    const listed = await client.profileInformation({ access_token: accessToken });
    assert.equal(listed.profiles.length, 2);
    for (const p of listed.profiles) assert.equal(p.profile_connected, true);
    const info = await client.userInfo({ access_token: accessToken });
    assert.equal(info.sub, first.sub);
    const data = info['cronofy.data'] as { profiles: { profile_calendars: unknown[] }[] };
    assert.equal(data.profiles.length, 2);
    assert.equal(data.profiles[0]!.profile_calendars.length, 1);

    // Python's revoke_profile posts `{}`; Ruby posts no body at all.
    const profileId = String((first.linking_profile as Record<string, string>).profile_id);
    const revoked = await server.call('POST', `/v1/profiles/${profileId}/revoke`, {
      token: accessToken,
      headers: PY,
      rawBody: '{}',
    });
    assert.equal(revoked.status, 202, revoked.text);
    const again = await server.app.inject({
      method: 'POST',
      url: `/v1/profiles/${profileId}/revoke`,
      headers: { authorization: `Bearer ${accessToken}`, 'user-agent': 'Cronofy Ruby 0.0' },
    });
    assert.equal(again.statusCode, 202, again.body);
    const after = await client.profileInformation({ access_token: accessToken });
    const gone = after.profiles.find((p) => p.profile_id === profileId)!;
    assert.equal(gone.profile_connected, false);
    const relink = new URL(String(gone.profile_relink_url));
    assert.equal(relink.pathname, '/oauth/authorize');
    assert.equal(relink.searchParams.get('provider_name'), 'ics');
    assert.equal(relink.searchParams.get('redirect_uri'), REDIRECT);
    const calendars = await server.call('GET', '/v1/calendars', { token: accessToken });
    const live = calendars.json.calendars.filter((c: { calendar_deleted: boolean }) => !c.calendar_deleted);
    assert.equal(live.length, 1, 'the revoked profile’s calendar is gone');
    assert.equal(live[0].profile_id, (second.linking_profile as Record<string, string>).profile_id);
    assert.equal(live[0].provider_name, 'ics');

    // Its relink URL reconnects the same profile.
    const person = new Person(server);
    const page = await person.open(Object.fromEntries(relink.searchParams));
    assert.equal(page.statusCode, 200, page.body);
    const done = await person.submit(page.body, { action: 'connect', url: feedServer.url });
    const relinked = await client.requestAccessToken({
      code: codeOf(done.headers.location),
      redirect_uri: REDIRECT,
    });
    assert.equal((relinked.linking_profile as Record<string, string>).profile_id, profileId);
    const back = await client.profileInformation({ access_token: accessToken });
    assert.ok(back.profiles.every((p) => p.profile_connected === true));

    // The Node client's revokeProfileAuthorization sends `{"profile_id": …}` with the token.
    const secondId = String((second.linking_profile as Record<string, string>).profile_id);
    await client.revokeProfileAuthorization({ access_token: accessToken, profile_id: secondId });
    const end = await client.profileInformation({ access_token: accessToken });
    assert.deepEqual(Object.fromEntries(end.profiles.map((p) => [p.profile_id, p.profile_connected])), {
      [profileId]: true,
      [secondId]: false,
    });

    // With every profile revoked, the feed's busy hour no longer counts.
    assert.equal((await periods(String(first.sub))).length, 2, 'the connected feed is busy 10:00-11:00');
    await client.revokeProfileAuthorization({ access_token: accessToken, profile_id: profileId });
    assert.deepEqual(await periods(String(first.sub)), [['2026-03-03T09:00:00Z', '2026-03-03T12:00:00Z']]);

    const unknown = await server.call('POST', '/v1/profiles/pro_nope/revoke', {
      token: accessToken,
      headers: PY,
      rawBody: '{}',
    });
    assert.equal(unknown.status, 404);
  });

  it('the CalDAV form checks the password against the server before answering', async (t) => {
    if (radicale === null) return t.skip('radicale not installed');
    await createCalendar(radicale, 'work', 'Work');
    await putRawEvent(
      radicale,
      new URL(`${radicale.username}/work/`, radicale.url).href,
      'e.ics',
      feed('2026-03-03T14:00:00Z', '2026-03-03T15:00:00Z'),
    );
    const person = new Person(server);
    const page = await person.open({ ...base(), provider_name: 'caldav' });
    const wrong = await person.submit(page.body, {
      action: 'connect',
      server_url: radicale.url,
      username: radicale.username,
      password: 'not the password',
    });
    assert.equal(wrong.statusCode, 422);
    assert.match(wrong.body, /did not accept this user name and password/);
    assert.doesNotMatch(wrong.body, /not the password/, 'the typed password is never echoed');
    const ok = await person.submit(wrong.body, {
      action: 'connect',
      server_url: radicale.url,
      username: radicale.username,
      password: radicale.password,
    });
    assert.equal(ok.statusCode, 303, ok.body);
    const token = await client.requestAccessToken({
      code: codeOf(ok.headers.location),
      redirect_uri: REDIRECT,
    });
    assert.equal((token.linking_profile as Record<string, string>).provider_name, 'caldav');
  });
});

describe('secrets in URLs are not logged', () => {
  it('codes and link tokens in a logged URL are redacted', () => {
    assert.equal(
      redactUrl('/oauth/authorize?client_id=c&link_token=secret1&state=s'),
      '/oauth/authorize?client_id=c&link_token=[redacted]&state=s',
    );
    assert.equal(redactUrl('/cb?code=secret2&state=s'), '/cb?code=[redacted]&state=s');
  });
});

describe('the page never tells a refused private address from an unreachable one', () => {
  it('same status and words for 127.0.0.1 and a name that does not resolve', async () => {
    const server = await startTestServer({ external: { allowPrivate: false } });
    try {
      await server.call('PATCH', '/v1/application', {
        token: server.clientSecret,
        body: { redirect_uris: [REDIRECT] },
      });
      const answers: { status: number; error: string }[] = [];
      for (const target of ['http://127.0.0.1:9/', 'http://rtseq-test.invalid/']) {
        const person = new Person(server);
        const page = await person.open({
          response_type: 'code',
          client_id: server.clientId,
          redirect_uri: REDIRECT,
          provider_name: 'caldav',
        });
        const res = await person.submit(page.body, {
          action: 'connect',
          server_url: target,
          username: 'u',
          password: 'p',
        });
        const error = /<p class="field-error" id="server_url-error">([^<]*)<\/p>/.exec(res.body)?.[1] ?? '';
        answers.push({ status: res.statusCode, error });
      }
      assert.equal(answers[0]!.status, 422);
      assert.notEqual(answers[0]!.error, '');
      assert.deepEqual(answers[0], answers[1]);
    } finally {
      await server.close();
    }
  });
});

describe('the per-IP page rate limit covers the authorization page', () => {
  it('the request over PAGE_RATE_LIMIT_PER_SECOND is a 429 with Retry-After', async () => {
    const server = await startTestServer({ env: { PAGE_RATE_LIMIT_PER_SECOND: '2' } });
    try {
      const statuses: number[] = [];
      let retryAfter: unknown;
      for (let i = 0; i < 3; i++) {
        const res = await server.app.inject({
          method: 'GET',
          url: `/oauth/authorize?client_id=${server.clientId}`,
        });
        statuses.push(res.statusCode);
        retryAfter = res.headers['retry-after'];
      }
      assert.deepEqual(statuses, [400, 400, 429]);
      assert.equal(retryAfter, '1');
    } finally {
      await server.close();
    }
  });
});
