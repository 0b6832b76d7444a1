/**
 * SPEC 9: the booking page does no heavy work for anonymous input. An option that could never have
 * been offered is a 400 before any calendar is read or any option computed; identical concurrent
 * computations of one link's page run once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { viewLink } from '../../src/app/booking/booking.ts';
import type { AppContext } from '../../src/app/context.ts';
import { findAvailability } from '../../src/domain/engine/availability.ts';
import { findSequences } from '../../src/domain/engine/sequence.ts';
import type { AvailabilityCompute } from '../../src/ports/compute.ts';
import type { Store } from '../../src/ports/store.ts';
import { csrfOf, optionKeysOf, singleLink, startWebServer, Visitor } from './fixtures.ts';

test('a chosen option that could never have been offered is a 400 without computing', async (t) => {
  let computations = 0;
  const compute: AvailabilityCompute = {
    findAvailability: async (query) => findAvailability(query),
    findSequences: async (query) => {
      computations += 1;
      return findSequences(query);
    },
  };
  const server = await startWebServer({ compute });
  t.after(() => server.close());
  const person = await server.createAccount('bogus-1');
  const link = await singleLink(server, person);
  const visitor = new Visitor(server);
  const page = await visitor.get(link.path);
  assert.equal(page.status, 200);
  const csrf = csrfOf(page.body);
  const offered = optionKeysOf(page.body)[0]!;
  const [index, start] = offered.split('.');
  const afterView = computations;
  assert.ok(afterView > 0, 'the page view computed its options');
  for (const option of ['0.1', `1.${start}`, `${index}.${Number(start) + 1}`, `${offered}-${offered}`]) {
    const response = await visitor.post(`${link.path}/choose`, { csrf, option });
    assert.equal(response.status, 400, option);
  }
  assert.equal(computations, afterView, 'no option was computed for the bogus choices');
  // An offered option still books.
  const booked = await visitor.post(`${link.path}/choose`, { csrf, option: offered });
  assert.equal(booked.status, 303);
});

test('identical concurrent page computations for one link run once', async (t) => {
  let computations = 0;
  let open = (): void => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  // The engine, held until every view has loaded its link: the views then certainly overlap.
  const compute: AvailabilityCompute = {
    findAvailability: async (query) => findAvailability(query),
    findSequences: async (query) => {
      computations += 1;
      await gate;
      return findSequences(query);
    },
  };
  const server = await startWebServer();
  t.after(() => server.close());
  const person = await server.createAccount('flight-1');
  const link = await singleLink(server, person);
  // A link load has finished once the store's read around it has returned (on PostgreSQL that
  // read still releases its connection after the last query); the view then reaches the
  // computation within the same turn of the event loop.
  let linksLoaded = 0;
  const store: Store = {
    ...server.ctx.store,
    kind: server.ctx.store.kind,
    read: async (work) => {
      let readApplication = false; // loadLinkForPage reads the link's application last
      const result = await server.ctx.store.read((repos) =>
        work({
          ...repos,
          applications: {
            ...repos.applications,
            byId: (id) => {
              readApplication = true;
              return repos.applications.byId(id);
            },
          },
        }),
      );
      if (readApplication) linksLoaded += 1;
      return result;
    },
    transaction: (work) => server.ctx.store.transaction(work),
    migrate: () => server.ctx.store.migrate(),
    ping: () => server.ctx.store.ping(),
    close: () => server.ctx.store.close(),
  };
  const ctx: AppContext = { ...server.ctx, store, compute };
  // The same computation asked for three times at once is done once.
  const views = Promise.all([1, 2, 3].map(() => viewLink(ctx, link.token)));
  while (linksLoaded < 3 || computations < 1) await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  open();
  const [first, second, third] = await views;
  assert.equal(computations, 1);
  assert.equal(first?.kind, 'open');
  assert.deepEqual(second, first);
  assert.deepEqual(third, first);
  await viewLink(ctx, link.token);
  assert.equal(computations, 2, 'once it is done, the next view computes again');
});
