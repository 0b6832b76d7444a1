/**
 * Issue 12, items 3, 5, 9 and 10 (stale confirm), replayed against the public booking page as an
 * anonymous visitor would: many holder cookies cannot hold many options, "None of these times
 * work" sends one callback per link, the shared page-view cache stays within its age and byte
 * bounds, and a stale confirmation form books what is actually held.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SharedViews } from '../../src/web/shared-views.ts';
import {
  csrfOf,
  type Link,
  optionKeysOf,
  singleLink,
  startWebServer,
  type TestServer,
  Visitor,
} from '../web/fixtures.ts';

const HOUR = 3_600_000;
let server: TestServer;
let counter = 0;

before(async () => {
  server = await startWebServer();
});
after(() => server.close());

function tomorrow(hours: number): { start: number; end: number } {
  const day = Math.floor(server.clock.now() / (24 * HOUR)) * 24 * HOUR + 24 * HOUR;
  return { start: day + 9 * HOUR, end: day + (9 + hours) * HOUR };
}

async function person() {
  counter += 1;
  return server.createAccount(`abuse-${counter}`);
}

async function liveHolds(link: Link, sub: string): Promise<number> {
  const window = tomorrow(24);
  const live = await server.ctx.store.read((repos) =>
    repos.reservations.liveIn(
      [sub],
      { start: window.start - 24 * HOUR, end: window.end },
      server.clock.now(),
    ),
  );
  return live.filter((r) => r.kind === 'hold' && r.linkId === link.id).length;
}

/** A visitor opens the page and chooses `option` (or the n-th offered one). */
async function choose(visitor: Visitor, link: Link, pick: number | string) {
  const page = await visitor.get(link.path);
  const option = typeof pick === 'string' ? pick : optionKeysOf(page.body)[pick]!;
  const chosen = await visitor.post(`${link.path}/choose`, { csrf: csrfOf(page.body), option, tz: 'UTC' });
  return { option, chosen };
}

describe('3 at most one active hold per link', () => {
  test('one visitor with 8 holder cookies holds one option, not 8; other links keep their times', async () => {
    const target = await person();
    const attacked = await singleLink(server, target, { periods: [tomorrow(8)], selectionMode: 'confirm' });
    const other = await singleLink(server, target, { periods: [tomorrow(8)], eventId: 'other' });
    const before = optionKeysOf((await new Visitor(server).get(other.path)).body).length;
    assert.equal(before, 8);
    const keys = optionKeysOf((await new Visitor(server).get(attacked.path)).body);
    assert.equal(keys.length, 8);
    for (let i = 0; i < 8; i++) {
      const { chosen } = await choose(new Visitor(server), attacked, keys[i]!);
      assert.equal(chosen.status, 303);
      assert.match(chosen.location ?? '', /\/confirm\?/, 'each choice is held in turn');
      assert.equal(await liveHolds(attacked, target.sub), 1);
    }
    const after = optionKeysOf((await new Visitor(server).get(other.path)).body).length;
    assert.equal(after, 7, 'only the one current hold is busy for other links');
    const availability = await server.call('POST', '/v1/availability', {
      token: server.clientSecret,
      body: {
        participants: [{ members: [{ sub: target.sub }], required: 'all' }],
        required_duration: { minutes: 60 },
        response_format: 'slots',
        available_periods: [tomorrow(8)].map((p) => ({
          start: new Date(p.start).toISOString().replace('.000', ''),
          end: new Date(p.end).toISOString().replace('.000', ''),
        })),
      },
    });
    assert.equal(availability.status, 200, availability.text);
    assert.equal(availability.json.available_slots.length, 7);
  });
});

describe('10 a stale confirmation form books the option actually held', () => {
  test('choose X, then Y in another tab, then submit the X form: Y is booked', async () => {
    const target = await person();
    const link = await singleLink(server, target, { periods: [tomorrow(4)], selectionMode: 'confirm' });
    const visitor = new Visitor(server);
    const first = await choose(visitor, link, 0);
    const staleForm = await visitor.get(first.chosen.location!);
    assert.equal(staleForm.status, 200);
    const staleCsrf = csrfOf(staleForm.body);
    const second = await choose(visitor, link, 2);
    assert.notEqual(second.option, first.option);
    const confirmed = await visitor.post(`${link.path}/confirm`, {
      csrf: staleCsrf,
      option: first.option,
      tz: 'UTC',
    });
    assert.equal(confirmed.status, 303);
    const stored = await server.ctx.store.read((repos) => repos.links.byId(server.applicationId, link.id));
    assert.equal(stored?.status, 'completed');
    const booked = stored?.booked as { steps: { start: number }[] } | undefined;
    const bookedStart = booked?.steps[0]?.start;
    assert.equal(`0.${bookedStart}`, second.option, 'the held option, not the one in the stale form');
  });
});

describe('5 "None of these times work" sends at most one callback per link', () => {
  test('repeated uses, from one visitor or many, show the same answer and send nothing', async () => {
    const target = await person();
    const url = `https://organiser.example/none/${counter}`;
    const link = await singleLink(server, target, { periods: [tomorrow(4)], noTimesSuitableUrl: url });
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) {
      const visitor = new Visitor(server);
      const page = await visitor.get(link.path);
      const posted = await visitor.post(`${link.path}/none`, {
        csrf: csrfOf(page.body),
        tz: 'UTC',
        note: `Attempt ${i}: next week please`,
      });
      assert.equal(posted.status, 303);
      answers.push(posted.location ?? '');
      const again = await visitor.post(`${link.path}/none`, { csrf: csrfOf(page.body), tz: 'UTC' });
      answers.push(again.location ?? '');
    }
    assert.ok(
      answers.every((a) => a.endsWith('&told=1')),
      answers.join('\n'),
    );
    const outbox = await server.ctx.store.read((repos) => repos.outbox.list({ limit: 1000 }));
    const sent = outbox.filter((o) => o.target === url);
    assert.equal(sent.length, 1);
    assert.equal(JSON.parse(sent[0]!.payload).note, 'Attempt 0: next week please');
  });
});

describe('9 the shared page-view cache is bounded by age and bytes', () => {
  test('states older than a second are swept; the kept ones stay within PAGE_CACHE_MAX_BYTES', async () => {
    const target = await person();
    const links: Link[] = [];
    for (let i = 0; i < 12; i++) {
      links.push(
        await singleLink(server, target, { periods: [tomorrow(8)], eventId: `cache-${i}`, interval: 15 }),
      );
    }
    const probe = new SharedViews(server.ctx);
    await probe.view(links[0]!.token);
    const budget = probe.bytes * 4;
    const { config } = server.ctx;
    const views = new SharedViews({
      ...server.ctx,
      config: { ...config, limits: { ...config.limits, pageCacheBytes: budget } },
    });
    for (const link of links) await views.view(link.token);
    assert.ok(views.size > 0);
    assert.ok(views.bytes <= budget, `${views.bytes} bytes kept, budget ${budget}`);
    assert.ok(views.size < links.length, `the byte budget dropped the oldest states (${views.size} kept)`);
    server.clock.advance(1500);
    await views.view(links[0]!.token);
    assert.equal(views.size, 1, 'every older state was swept');
  });
});
