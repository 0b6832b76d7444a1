/** Listing and replaying outbox deliveries (SPEC 6.4), for the API and the CLI. */
import { DomainError } from '../domain/errors.ts';
import type { DeliveryAttemptRecord, OutboxRecord, OutboxStatus } from '../ports/store.ts';
import type { AppContext } from './context.ts';

export async function listDeliveries(
  ctx: AppContext,
  filter: { applicationId?: string; status?: OutboxStatus; limit?: number },
): Promise<OutboxRecord[]> {
  return ctx.store.read((repos) =>
    repos.outbox.list({
      ...(filter.applicationId === undefined ? {} : { applicationId: filter.applicationId }),
      ...(filter.status === undefined ? {} : { status: filter.status }),
      limit: Math.min(filter.limit ?? 100, 1000),
    }),
  );
}

export async function deliveryWithAttempts(
  ctx: AppContext,
  id: string,
  applicationId?: string,
): Promise<{ item: OutboxRecord; attempts: DeliveryAttemptRecord[] }> {
  const found = await ctx.store.read(async (repos) => {
    const item = await repos.outbox.byId(id);
    return item === undefined ? undefined : { item, attempts: await repos.outbox.attempts(id) };
  });
  if (found === undefined || (applicationId !== undefined && found.item.applicationId !== applicationId)) {
    throw new DomainError('not_found', `No delivery ${id}`);
  }
  return found;
}

/** Makes a failed or pending delivery due now (same Rtseq-Delivery-Id, so receivers can dedupe). */
export async function replayDelivery(
  ctx: AppContext,
  id: string,
  applicationId?: string,
): Promise<OutboxRecord> {
  const replayed = await ctx.store.transaction((repos) =>
    repos.outbox.replay(id, ctx.clock.now(), applicationId),
  );
  if (!replayed) {
    const existing = await ctx.store.read((repos) => repos.outbox.byId(id));
    if (existing === undefined || (applicationId !== undefined && existing.applicationId !== applicationId)) {
      throw new DomainError('not_found', `No delivery ${id}`);
    }
    throw new DomainError('conflict', 'A delivered item cannot be replayed', {
      problems: [
        { path: 'status', code: 'errors.already_delivered', description: 'the delivery already succeeded' },
      ],
    });
  }
  return (await ctx.store.read((repos) => repos.outbox.byId(id)))!;
}
