import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestAccount, type TestServer } from '../support/server.ts';

describe('paged reads (events, free_busy, available_periods)', () => {
  let server: TestServer;
  let alice: TestAccount;
  let bob: TestAccount;

  /** Fetches an absolute next_page URL over the real socket, as the SDKs do. */
  const fetchPage = async (url: string, token: string) => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies freely
    return { status: response.status, json: (await response.json()) as Record<string, any> };
  };

  before(async () => {
    server = await startTestServer({ pageSize: 2 });
    alice = await server.createAccount('alice');
    bob = await server.createAccount('bob');
    for (let i = 0; i < 5; i++) {
      const start = `2026-03-1${i}T09:00:00Z`;
      const end = `2026-03-1${i}T10:00:00Z`;
      const res = await server.call('POST', `/v1/calendars/${alice.calendarId}/events`, {
        token: alice.accessToken,
        body: { event_id: `e${i}`, summary: `Event ${i}`, start, end },
      });
      assert.equal(res.status, 202);
      const period = await server.call('POST', '/v1/available_periods', {
        token: alice.accessToken,
        body: { available_period_id: `p${i}`, start, end },
      });
      assert.equal(period.status, 202);
    }
  });
  after(() => server.close());

  for (const [kind, key, query] of [
    ['events', 'events', 'tzid=Etc/UTC'],
    ['free_busy', 'free_busy', 'tzid=Etc/UTC'],
    ['available_periods', 'available_periods', ''],
  ] as const) {
    it(`${kind}: walks 3 pages through absolute next_page URLs, ignoring re-appended parameters`, async () => {
      const first = await fetchPage(`${server.url}/v1/${kind}?${query}`, alice.accessToken);
      assert.equal(first.status, 200);
      assert.equal(first.json.pages.current, 1);
      assert.equal(first.json.pages.total, 3);
      assert.ok(first.json.pages.next_page.startsWith(`${server.url}/v1/${kind}/pages/`));
      // The Node SDK appends the remaining options to next_page; they must not matter.
      const second = await fetchPage(
        `${first.json.pages.next_page}?tzid=Nowhere&from=garbage`,
        alice.accessToken,
      );
      assert.equal(second.status, 200);
      assert.deepEqual(
        { current: second.json.pages.current, total: second.json.pages.total },
        { current: 2, total: 3 },
      );
      const third = await fetchPage(second.json.pages.next_page, alice.accessToken);
      assert.equal(third.status, 200);
      assert.deepEqual(third.json.pages, { current: 3, total: 3 });
      const items = [...first.json[key], ...second.json[key], ...third.json[key]];
      assert.equal(items.length, 5);
      assert.deepEqual(
        items.map((item: { start: string }) => item.start),
        [10, 11, 12, 13, 14].map((d) => `2026-03-${d}T09:00:00Z`),
      );

      // Bound to the account: another account's token on this page is a 404.
      const stolen = await fetchPage(first.json.pages.next_page, bob.accessToken);
      assert.equal(stolen.status, 404);
      assert.equal(stolen.json.errors.page[0].key, 'errors.not_found');
      const noToken = await fetch(first.json.pages.next_page);
      assert.equal(noToken.status, 401);
    });
  }

  it('answers 404 for damaged tokens and tokens of another kind of read', async () => {
    const first = await server.call('GET', '/v1/events?tzid=Etc/UTC', { token: alice.accessToken });
    const token = first.json.pages.next_page.split('/pages/')[1] as string;
    for (const bad of [
      'x',
      `${token}x`,
      token.slice(0, -3),
      '!!!',
      'e30',
      Buffer.from('[]').toString('base64url'),
    ]) {
      const res = await server.call('GET', `/v1/events/pages/${bad}`, { token: alice.accessToken });
      assert.equal(res.status, 404, bad);
    }
    const wrongKind = await server.call('GET', `/v1/free_busy/pages/${token}`, { token: alice.accessToken });
    assert.equal(wrongKind.status, 404);
    const empty = await server.call('GET', '/v1/events/pages/', { token: alice.accessToken });
    assert.equal(empty.status, 404);
  });

  it('keeps the query in the token: later pages use the first request filters', async () => {
    const first = await server.call('GET', '/v1/events?tzid=Etc/UTC&from=2026-03-11&to=2026-03-15', {
      token: alice.accessToken,
    });
    assert.equal(first.json.pages.total, 2);
    const second = await fetchPage(first.json.pages.next_page, alice.accessToken);
    assert.deepEqual(
      second.json.events.map((e: { event_id: string }) => e.event_id),
      ['e3', 'e4'],
    );
    assert.equal('next_page' in second.json.pages, false);
  });

  it('free_busy pages keep the default window resolved on the first page', async () => {
    const first = await server.call('GET', '/v1/free_busy?tzid=Etc/UTC', { token: alice.accessToken });
    server.clock.advance(400 * 86_400_000);
    const second = await fetchPage(first.json.pages.next_page, alice.accessToken);
    assert.equal(second.json.free_busy.length, 2);
    server.clock.advance(-400 * 86_400_000);
  });

  it('an empty result is one page without next_page', async () => {
    const res = await server.call('GET', '/v1/events?tzid=Etc/UTC', { token: bob.accessToken });
    assert.deepEqual(res.json, { pages: { current: 1, total: 1 }, events: [] });
  });
});
