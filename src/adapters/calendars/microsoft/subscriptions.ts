/**
 * Graph change-notification subscriptions on a calendar's events: create (Graph performs the
 * `validationToken` handshake with `address` before it answers), renew in place, delete.
 */
import { providerError, type Watch } from '../../../ports/synced-provider.ts';
import { type GraphContext, graphJson, graphSend, isoOf } from './graph.ts';
import { graphFailure, isSuccess } from './transport.ts';

/** Graph keeps calendar subscriptions at most 4,230 minutes; a margin below that. */
export const SUBSCRIPTION_MINUTES = 4200;

function expiryFrom(graph: GraphContext): string {
  return isoOf(graph.transport.now() + SUBSCRIPTION_MINUTES * 60_000);
}

/**
 * Subscribes `address` to created, updated and deleted events of the calendar; lifecycle
 * notifications (`reauthorizationRequired`, `subscriptionRemoved`, `missed`) go to the same
 * address, and `secret` comes back as every notification's `clientState`.
 */
export async function createSubscription(
  graph: GraphContext,
  accessToken: string,
  target: { readonly calendarId: string; readonly address: string; readonly secret: string },
  deadline: number,
): Promise<Watch> {
  const what = 'Microsoft Graph subscription create';
  const created = await graphJson(
    graph,
    accessToken,
    {
      method: 'POST',
      target: 'v1.0/subscriptions',
      what,
      json: {
        changeType: 'created,updated,deleted',
        notificationUrl: target.address,
        lifecycleNotificationUrl: target.address,
        resource: `me/calendars/${target.calendarId}/events`,
        expirationDateTime: expiryFrom(graph),
        clientState: target.secret,
      },
    },
    deadline,
  );
  return watchOf(created, what);
}

export async function renewSubscription(
  graph: GraphContext,
  accessToken: string,
  watch: Watch,
  deadline: number,
): Promise<Watch> {
  const what = 'Microsoft Graph subscription renewal';
  const renewed = await graphJson(
    graph,
    accessToken,
    {
      method: 'PATCH',
      target: `v1.0/subscriptions/${encodeURIComponent(watch.id)}`,
      what,
      json: { expirationDateTime: expiryFrom(graph) },
    },
    deadline,
  );
  return watchOf({ id: watch.id, ...renewed }, what);
}

/** Deletes the subscription; one Graph no longer knows succeeds. */
export async function deleteSubscription(
  graph: GraphContext,
  accessToken: string,
  watch: Watch,
  deadline: number,
): Promise<void> {
  const what = 'Microsoft Graph subscription delete';
  const answer = await graphSend(
    graph,
    accessToken,
    { method: 'DELETE', target: `v1.0/subscriptions/${encodeURIComponent(watch.id)}`, what },
    deadline,
  );
  if (!isSuccess(answer) && answer.status !== 404) throw graphFailure(answer, what);
}

function watchOf(subscription: Readonly<Record<string, unknown>>, what: string): Watch {
  const expiry = subscription.expirationDateTime;
  const expiresAt = typeof expiry === 'string' ? Date.parse(expiry) : Number.NaN;
  if (typeof subscription.id !== 'string' || subscription.id.length === 0 || Number.isNaN(expiresAt))
    throw providerError('bad_response', `${what}: no id or expirationDateTime`);
  return { id: subscription.id, resourceId: null, expiresAt };
}
