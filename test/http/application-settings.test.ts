import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('application display settings (PATCH /v1/application)', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('starts empty, takes a partial update, keeps what is absent and clears what is null', async () => {
    const empty = await server.call('GET', '/v1/application', { token: server.clientSecret });
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.json, {
      application: {
        client_id: server.clientId,
        display_name: null,
        logo_url: null,
        accent_colour: null,
        redirect_uris: [],
      },
    });

    const set = await server.call('PATCH', '/v1/application', {
      token: server.clientSecret,
      body: {
        display_name: ' Globex ',
        logo_url: 'https://cdn.example.com/globex.svg',
        accent_colour: '#0B57A4',
      },
    });
    assert.equal(set.status, 200);
    assert.deepEqual(set.json.application, {
      client_id: server.clientId,
      display_name: 'Globex',
      logo_url: 'https://cdn.example.com/globex.svg',
      accent_colour: '#0b57a4',
      redirect_uris: [],
    });

    const partial = await server.call('PATCH', '/v1/application', {
      token: server.clientSecret,
      body: { logo_url: null },
    });
    assert.deepEqual(partial.json.application, {
      client_id: server.clientId,
      display_name: 'Globex',
      logo_url: null,
      accent_colour: '#0b57a4',
      redirect_uris: [],
    });
    const stored = await server.ctx.store.read((r) => r.applications.byId(server.applicationId));
    assert.equal(stored?.displayName, 'Globex');
    assert.equal(stored?.accentColour, '#0b57a4');
  });

  it('credentials in the body work too (legacy SDKs)', async () => {
    const res = await server.call('PATCH', '/v1/application', {
      body: { client_id: server.clientId, client_secret: server.clientSecret, display_name: 'Initech' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.json.application.display_name, 'Initech');
  });

  it('a low-contrast accent, a plain-http logo and wrong types: 422 with every problem, nothing stored', async () => {
    const before = await server.ctx.store.read((r) => r.applications.byId(server.applicationId));
    const res = await server.call('PATCH', '/v1/application', {
      token: server.clientSecret,
      body: { accent_colour: '#ffcc00', logo_url: 'http://example.com/logo.png', display_name: 42 },
    });
    assert.equal(res.status, 422);
    assert.deepEqual(Object.keys(res.json.errors).sort(), ['accent_colour', 'display_name', 'logo_url']);
    assert.equal(res.json.errors.accent_colour[0].key, 'errors.insufficient_contrast');
    assert.match(res.json.errors.accent_colour[0].description, /4\.5:1/);
    assert.deepEqual(await server.ctx.store.read((r) => r.applications.byId(server.applicationId)), before);
  });

  it('a data URL logo over 64 KiB is refused; a small one is kept', async () => {
    const big = `data:image/png;base64,${'A'.repeat(70 * 1024)}`;
    const refused = await server.call('PATCH', '/v1/application', {
      token: server.clientSecret,
      body: { logo_url: big },
    });
    assert.equal(refused.status, 422);
    const small = 'data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=';
    const kept = await server.call('PATCH', '/v1/application', {
      token: server.clientSecret,
      body: { logo_url: small },
    });
    assert.equal(kept.status, 200);
    assert.equal(kept.json.application.logo_url, small);
  });

  it('unknown credentials: 401', async () => {
    const res = await server.call('PATCH', '/v1/application', { token: 'nope', body: { display_name: 'x' } });
    assert.equal(res.status, 401);
  });
});
