/**
 * Issue 13 item 2: the booking page never does private heavy work. A session holding an option
 * and an anonymous visitor of the same link are answered from one computation; a choice that lost
 * its time computes nothing (its redirect's GET joins the shared one). Computations are counted
 * where the use cases report them (the Metrics port's page computations) and where the engine
 * runs (the compute port).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findAvailability } from '../../src/domain/engine/availability.ts';
import { findSequences } from '../../src/domain/engine/sequence.ts';
import type { AvailabilityCompute } from '../../src/ports/compute.ts';
import type { ComputationKind, Metrics } from '../../src/ports/metrics.ts';
import {
  csrfOf,
  optionKeysOf,
  singleLink,
  startWebServer,
  type TestAccount,
  type TestServer,
  Visitor,
} from './fixtures.ts';

const HOUR = 3_600_000;

const counted = { page: 0, engine: 0 };
const metrics: Metrics = {
  httpRequest: () => undefined,
  startComputation: (kind: ComputationKind) => {
    if (kind === 'page') counted.page += 1;
    return () => undefined;
  },
  choiceMade: () => undefined,
  takenMeanwhile: () => undefined,
  deliveryAttempt: () => undefined,
  calendarRead: () => undefined,
  providerSync: () => undefined,
  providerPush: () => undefined,
  providerDisconnected: () => undefined,
};
const compute: AvailabilityCompute = {
  findAvailability: async (query) => findAvailability(query),
  findSequences: async (query) => {
    counted.engine += 1;
    return findSequences(query);
  },
};

let server: TestServer;
let counter = 0;

before(async () => {
  server = await startWebServer({ metrics, compute });
});
after(() => server.close());

async function person(): Promise<TestAccount> {
  counter += 1;
  return server.createAccount(`shared-${counter}`);
}

function tomorrow(): { start: number; end: number } {
  const day = Math.floor(server.clock.now() / (24 * HOUR)) * 24 * HOUR + 24 * HOUR;
  return { start: day + 9 * HOUR, end: day + 13 * HOUR };
}

/** The page and engine computations `work` causes. */
async function computationsOf(work: () => Promise<void>): Promise<{ page: number; engine: number }> {
  const before = { ...counted };
  await work();
  return { page: counted.page - before.page, engine: counted.engine - before.engine };
}

describe('one computation per link view, holders included', () => {
  test("a holder's page, its live poll and an anonymous visitor's page share one computation", async () => {
    const target = await person();
    const link = await singleLink(server, target, { periods: [tomorrow()], selectionMode: 'confirm' });
    const holder = new Visitor(server);
    const page = await holder.get(link.path);
    const option = optionKeysOf(page.body)[0]!;
    const heldAt = await holder.post(`${link.path}/choose`, { csrf: csrfOf(page.body), option });
    assert.match(heldAt.location ?? '', /\/confirm\?/);
    assert.equal((await holder.get(heldAt.location!)).status, 200);

    // The hold dropped the shared states: the next views compute once, for everybody.
    const anonymous = new Visitor(server);
    let holderKeys: string[] = [];
    let anonymousKeys: string[] = [];
    let liveKeys: string[] = [];
    const views = await computationsOf(async () => {
      holderKeys = optionKeysOf((await holder.get(link.path)).body);
      anonymousKeys = optionKeysOf((await anonymous.get(link.path)).body);
      liveKeys = JSON.parse((await holder.get(`${link.path}/live`)).body).keys;
    });
    assert.deepEqual(views, { page: 1, engine: 1 });
    // The link's own hold hides nothing on its own page, for the holder or anyone else.
    assert.ok(holderKeys.includes(option));
    assert.deepEqual(anonymousKeys, holderKeys);
    assert.deepEqual(liveKeys, holderKeys);

    // Views at once, holder first or not, join one running computation.
    server.clock.advance(1500);
    try {
      const burst = await computationsOf(async () => {
        await Promise.all([holder.get(link.path), new Visitor(server).get(link.path), holder.get(link.path)]);
      });
      assert.deepEqual(burst, { page: 1, engine: 1 });
    } finally {
      server.clock.advance(-1500);
    }
  });

  test('a choice that lost its time computes nothing; the page it leads to is the shared view', async () => {
    const target = await person();
    const period = tomorrow();
    const mine = await singleLink(server, target, { periods: [period], eventId: 'mine' });
    const theirs = await singleLink(server, target, { periods: [period], eventId: 'theirs' });
    const held = await singleLink(server, target, {
      periods: [period],
      eventId: 'held',
      selectionMode: 'confirm',
    });
    const me = new Visitor(server);
    const myPage = await me.get(mine.path);
    const [nine, ten] = optionKeysOf(myPage.body);
    const them = new Visitor(server);
    const theirPage = await them.get(theirs.path);
    const booked = await them.post(`${theirs.path}/choose`, { csrf: csrfOf(theirPage.body), option: nine! });
    assert.equal(booked.status, 303);

    let location = '';
    const taken = await computationsOf(async () => {
      const response = await me.post(`${mine.path}/choose`, { csrf: csrfOf(myPage.body), option: nine! });
      assert.equal(response.status, 303);
      location = response.location ?? '';
    });
    assert.match(location, /[?&]taken=booked$/);
    assert.deepEqual(taken, { page: 0, engine: 0 }, 'only the re-check of the chosen option ran');

    const fresh = await computationsOf(async () => {
      const page = await me.get(location);
      assert.ok(!optionKeysOf(page.body).includes(nine!));
      // Another visitor of the link right after: the same computation.
      await new Visitor(server).get(mine.path);
    });
    assert.deepEqual(fresh, { page: 1, engine: 1 });

    // A hold on another link: its time is taken for this link too, worded as held; no computation.
    const holder = new Visitor(server);
    const heldPage = await holder.get(held.path);
    assert.ok(optionKeysOf(heldPage.body).includes(ten!));
    const heldAt = await holder.post(`${held.path}/choose`, { csrf: csrfOf(heldPage.body), option: ten! });
    assert.match(heldAt.location ?? '', /\/confirm\?/);
    const lost = await computationsOf(async () => {
      const response = await me.post(`${mine.path}/choose`, { csrf: csrfOf(myPage.body), option: ten! });
      location = response.location ?? '';
    });
    assert.match(location, /[?&]taken=held$/);
    assert.deepEqual(lost, { page: 0, engine: 0 });
  });
});
