/** How every CLI command reaches the database: the server's own wiring, migrated, closed after. */
import type { AppContext } from '../app/context.ts';
import type { Config } from '../config/config.ts';
import { openStore, type WireOptions, wire } from '../wiring/wire.ts';

export async function withContext<T>(
  config: Config,
  work: (ctx: AppContext) => Promise<T>,
  options: WireOptions = {},
): Promise<T> {
  const store = await openStore(config);
  let wired: ReturnType<typeof wire> | undefined;
  try {
    await store.migrate();
    wired = wire(config, store, options);
    return await work(wired.ctx);
  } finally {
    await wired?.expansion.close();
    await store.close();
  }
}
