/** `rtseq callbacks list|replay`: the outbox of every application in this database. */
import { listDeliveries, replayDelivery } from '../app/callbacks.ts';
import type { Config } from '../config/config.ts';
import { DomainError } from '../domain/errors.ts';
import { deliveryDocument } from '../http/wire/callbacks.ts';
import { type Args, UsageError } from './args.ts';
import { withContext } from './context.ts';

export async function runCallbackCommand(
  config: Config,
  args: Args,
  out: (text: string) => void,
): Promise<boolean> {
  if (args.sub === 'list') {
    const status = args.optional('status');
    if (status !== undefined && status !== 'pending' && status !== 'failed' && status !== 'delivered') {
      throw new UsageError('--status must be pending, failed or delivered');
    }
    const items = await withContext(
      config,
      (ctx) => listDeliveries(ctx, { ...(status === undefined ? {} : { status }), limit: 1000 }),
      { access: 'read' },
    );
    if (args.json) out(JSON.stringify({ callbacks: items.map(deliveryDocument) }));
    else {
      for (const item of items) {
        out(
          `${item.id}  ${item.status.padEnd(9)} attempts=${item.attempts}  ${item.kind}  ${item.target}${item.lastError === null ? '' : `  (${item.lastError})`}`,
        );
      }
      if (items.length === 0) out('No deliveries.');
    }
    return true;
  }
  if (args.sub === 'replay') {
    const given = args.required('id');
    const replayed = await withContext(config, async (ctx) => {
      // Receivers see the Rtseq-Delivery-Id (dlv_…); `callbacks list` shows the outbox id.
      const item = given.startsWith('dlv_')
        ? await ctx.store.read((repos) => repos.outbox.byDeliveryId(given))
        : undefined;
      if (given.startsWith('dlv_') && item === undefined)
        throw new DomainError('not_found', `No delivery ${given}`);
      return replayDelivery(ctx, item?.id ?? given);
    });
    out(
      `Replaying ${replayed.id} (delivery ${replayed.deliveryId}): it is due now and the running server will deliver it.`,
    );
    return true;
  }
  return false;
}
