import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { rejectsWith, type Setup, setup } from './microsoft.test-support.ts';

describe('Microsoft identity platform: consent, code exchange, refresh, identity', () => {
  let s: Setup;
  before(async () => {
    s = await setup({ accessTokenSeconds: 600 });
  });
  after(() => s.close());

  test('the consent URL asks for a refresh token, the calendars and the profile, and lets the person pick the account', () => {
    const url = new URL(
      s.provider.authorizeUrl({
        state: 'st-1',
        redirectUri: 'https://rtseq.example/oauth/callback/microsoft',
      }),
    );
    assert.equal(`${url.origin}${url.pathname}`, s.fake.authUrl);
    const query = Object.fromEntries(url.searchParams);
    assert.deepEqual(query, {
      client_id: s.fake.clientId,
      response_type: 'code',
      redirect_uri: 'https://rtseq.example/oauth/callback/microsoft',
      response_mode: 'query',
      scope: 'offline_access Calendars.ReadWrite User.Read',
      state: 'st-1',
      prompt: 'select_account',
    });
  });

  test('Allow on the consent page, then the code exchange, gives a grant whose token reads the profile', async () => {
    const redirectUri = 'http://127.0.0.1:9/oauth/callback/microsoft';
    const back = await s.fake.approve(s.provider.authorizeUrl({ state: 'st-2', redirectUri }), s.user.id);
    assert.equal(back.searchParams.get('state'), 'st-2');
    const code = back.searchParams.get('code');
    assert.ok(code);
    const grant = await s.provider.exchange({ code, redirectUri }, s.options());
    assert.ok(grant.refreshToken.length > 0);
    assert.equal(grant.expiresAt, s.clock.now + 600_000);
    const identity = await s.provider.identity(grant.accessToken, s.options());
    assert.deepEqual(identity, { profileName: 'ada@contoso.example', providerUserId: s.user.id });

    // A code works once (AADSTS54005): the second exchange is a refused grant.
    await rejectsWith(s.provider.exchange({ code, redirectUri }, s.options()), 'grant_revoked');
  });

  test('Deny sends the person back with access_denied and no code', async () => {
    const redirectUri = 'http://127.0.0.1:9/cb';
    const back = await s.fake.approve(
      s.provider.authorizeUrl({ state: 'st-3', redirectUri }),
      s.user.id,
      'deny',
    );
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), 'st-3');
    assert.equal(back.searchParams.get('code'), null);
  });

  test('a code for another redirect URI, or an unknown code, is refused as grant_revoked', async () => {
    const back = await s.fake.approve(
      s.provider.authorizeUrl({ state: 'x', redirectUri: 'http://127.0.0.1:9/a' }),
      s.user.id,
    );
    const code = back.searchParams.get('code')!;
    await rejectsWith(
      s.provider.exchange({ code, redirectUri: 'http://127.0.0.1:9/b' }, s.options()),
      'grant_revoked',
    );
    await rejectsWith(
      s.provider.exchange({ code: 'M.Cnonsense', redirectUri: 'http://127.0.0.1:9/a' }, s.options()),
      'grant_revoked',
    );
  });

  test('refresh gives a new access token and the rotated refresh token', async () => {
    const grant = { accessToken: s.accessToken, refreshToken: s.refreshToken, expiresAt: 0 };
    const fresh = await s.provider.refresh(grant, s.options());
    assert.notEqual(fresh.accessToken, s.accessToken);
    assert.notEqual(fresh.refreshToken, s.refreshToken);
    assert.equal(fresh.expiresAt, s.clock.now + 600_000);
    assert.equal((await s.provider.identity(fresh.accessToken, s.options())).providerUserId, s.user.id);
  });

  test('an expired access token reads as unauthorized; the refreshed one works', async () => {
    const { accessToken, refreshToken } = s.fake.grant(s.user.id);
    s.fake.expireAccessTokens(s.user.id);
    await rejectsWith(s.provider.identity(accessToken, s.options()), 'unauthorized');
    const fresh = await s.provider.refresh({ accessToken, refreshToken, expiresAt: 0 }, s.options());
    assert.equal(
      (await s.provider.identity(fresh.accessToken, s.options())).profileName,
      'ada@contoso.example',
    );
  });

  test('a revoked refresh token (AADSTS70000, 50173, interaction_required) is grant_revoked', async () => {
    for (const how of [
      { aadsts: 70000 },
      { aadsts: 50173 },
      { error: 'interaction_required', aadsts: 50076 },
    ]) {
      const { accessToken, refreshToken } = s.fake.grant(s.user.id);
      s.fake.revokeRefreshTokens(s.user.id, how);
      await rejectsWith(
        s.provider.refresh({ accessToken, refreshToken, expiresAt: 0 }, s.options()),
        'grant_revoked',
      );
    }
  });

  test('a wrong client secret is bad_response (operator configuration), not a revoked grant', async () => {
    const { createMicrosoftProvider } = await import('./provider.ts');
    const wrong = createMicrosoftProvider({
      clientId: s.fake.clientId,
      clientSecret: 'not-the-secret',
      authUrl: s.fake.authUrl,
      tokenUrl: s.fake.tokenUrl,
      graphUrl: s.fake.graphUrl,
    });
    const { accessToken, refreshToken } = s.fake.grant(s.user.id);
    await rejectsWith(
      wrong.refresh({ accessToken, refreshToken, expiresAt: 0 }, { deadline: Date.now() + 10_000 }),
      'bad_response',
    );
  });

  test('a throttled token endpoint is retried after Retry-After', async () => {
    const { accessToken, refreshToken } = s.fake.grant(s.user.id);
    s.clock.sleeps.length = 0;
    s.fake.throttle(2, { endpoint: 'token', retryAfterSeconds: 3 });
    const fresh = await s.provider.refresh({ accessToken, refreshToken, expiresAt: 0 }, s.options());
    assert.ok(fresh.accessToken.length > 0);
    assert.deepEqual(s.clock.sleeps, [3000, 3000]);
  });

  test('identity falls back to userPrincipalName when the account has no mail', async () => {
    const upnOnly = s.fake.addUser({ mail: null, userPrincipalName: 'grace@contoso.onmicrosoft.example' });
    const { accessToken } = s.fake.grant(upnOnly.id);
    assert.deepEqual(await s.provider.identity(accessToken, s.options()), {
      profileName: 'grace@contoso.onmicrosoft.example',
      providerUserId: upnOnly.id,
    });
  });
});
