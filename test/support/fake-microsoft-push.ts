/**
 * The fake's Graph subscriptions (`v1.0/subscriptions`): creation performs the real validation
 * handshake (POST `notificationUrl?validationToken=…`, which must answer 200 `text/plain` with
 * the token within 10 s, else the create is a 400), renewal by PATCH, DELETE; and the
 * notifications Graph sends: change notifications and lifecycle notifications.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type FakeState,
  type FakeSubscription,
  graphError,
  readBody,
  readJson,
  sendJson,
} from './fake-microsoft-context.ts';

/** Graph's limit for calendar (Outlook) subscriptions. */
export const MAX_SUBSCRIPTION_MINUTES = 4230;
const RESOURCE = /^\/?me\/calendars\/([^/]+)\/events$/i;

function subscriptionResource(state: FakeState, subscription: FakeSubscription): Record<string, unknown> {
  return {
    '@odata.context': `${state.graphRoot}v1.0/$metadata#subscriptions/$entity`,
    id: subscription.id,
    resource: subscription.resource,
    applicationId: state.clientId,
    changeType: subscription.changeType,
    clientState: subscription.clientState,
    notificationUrl: subscription.notificationUrl,
    lifecycleNotificationUrl: subscription.lifecycleNotificationUrl,
    expirationDateTime: new Date(subscription.expiresAt).toISOString(),
    creatorId: subscription.userId,
    includeResourceData: false,
    latestSupportedTlsVersion: 'v1_2',
    notificationUrlAppId: null,
  };
}

/** A subscription still alive (Graph forgets expired ones). */
export function liveSubscription(
  state: FakeState,
  id: string,
  userId: string | null,
): FakeSubscription | null {
  const subscription = state.subscriptions.get(id);
  if (subscription === undefined) return null;
  if (subscription.expiresAt <= state.now()) {
    state.subscriptions.delete(id);
    return null;
  }
  return userId === null || subscription.userId === userId ? subscription : null;
}

function expiryProblem(state: FakeState, value: unknown): string | null {
  const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) return 'expirationDateTime is required.';
  if (at <= state.now()) return 'Subscription expiration must be in the future.';
  if (at > state.now() + MAX_SUBSCRIPTION_MINUTES * 60_000)
    return `Subscription expiration can only be ${MAX_SUBSCRIPTION_MINUTES} minutes in the future.`;
  return null;
}

export async function handleSubscriptions(
  state: FakeState,
  request: IncomingMessage,
  response: ServerResponse,
  endpoint: string,
  subscriptionId: string,
  userId: string,
): Promise<void> {
  const input = readJson(await readBody(request));
  if (endpoint === 'subscriptions:create') return createSubscription(state, response, input, userId);
  const subscription = liveSubscription(state, subscriptionId, userId);
  if (subscription === null)
    return graphError(response, 404, 'ResourceNotFound', `The object was not found.`);
  if (endpoint === 'subscriptions:get')
    return sendJson(response, 200, subscriptionResource(state, subscription));
  if (endpoint === 'subscriptions:delete') {
    state.subscriptions.delete(subscription.id);
    response.writeHead(204).end();
    return;
  }
  const problem = expiryProblem(state, input?.expirationDateTime);
  if (problem !== null) return graphError(response, 400, 'InvalidRequest', problem);
  subscription.expiresAt = Date.parse(input!.expirationDateTime as string);
  sendJson(response, 200, subscriptionResource(state, subscription));
}

async function createSubscription(
  state: FakeState,
  response: ServerResponse,
  input: Record<string, unknown> | null,
  userId: string,
): Promise<void> {
  if (input === null)
    return graphError(response, 400, 'InvalidRequest', 'Empty Payload. JSON content expected.');
  const resource = typeof input.resource === 'string' ? input.resource : '';
  const calendarId = RESOURCE.exec(resource)?.[1];
  const calendarOk =
    calendarId !== undefined && state.calendars.get(decodeURIComponent(calendarId))?.userId === userId;
  if (!calendarOk && !/^\/?me\/events$/i.test(resource))
    return graphError(
      response,
      400,
      'ExtensionError',
      'Operation: Create; Exception: resource is not supported.',
    );
  const notificationUrl = typeof input.notificationUrl === 'string' ? input.notificationUrl : '';
  const lifecycleUrl =
    typeof input.lifecycleNotificationUrl === 'string' ? input.lifecycleNotificationUrl : null;
  if (!/^https?:\/\//.test(notificationUrl) || (lifecycleUrl !== null && !/^https?:\/\//.test(lifecycleUrl)))
    return graphError(response, 400, 'InvalidRequest', 'The notification URL must be an http(s) URL.');
  if (typeof input.changeType !== 'string' || input.changeType === '')
    return graphError(response, 400, 'InvalidRequest', 'changeType is required.');
  const clientState = typeof input.clientState === 'string' ? input.clientState : null;
  if (clientState !== null && clientState.length > 128)
    return graphError(response, 400, 'InvalidRequest', 'clientState is longer than 128 characters.');
  const problem = expiryProblem(state, input.expirationDateTime);
  if (problem !== null) return graphError(response, 400, 'InvalidRequest', problem);
  for (const url of new Set([notificationUrl, ...(lifecycleUrl === null ? [] : [lifecycleUrl])])) {
    if (!(await validate(state, url)))
      return graphError(
        response,
        400,
        'ValidationError',
        'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
      );
  }
  const subscription: FakeSubscription = {
    id: randomUUID(),
    userId,
    calendarId: calendarOk ? decodeURIComponent(calendarId!) : null,
    resource,
    changeType: input.changeType,
    notificationUrl,
    lifecycleNotificationUrl: lifecycleUrl,
    clientState,
    expiresAt: Date.parse(input.expirationDateTime as string),
  };
  state.subscriptions.set(subscription.id, subscription);
  sendJson(response, 201, subscriptionResource(state, subscription));
}

/** The handshake: the endpoint must echo the token, as text/plain, with 200, in time. */
async function validate(state: FakeState, url: string): Promise<boolean> {
  const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomBytes(8).toString('hex')}`;
  const target = new URL(url);
  target.searchParams.set('validationToken', token);
  let ok = false;
  try {
    const answer = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      signal: AbortSignal.timeout(state.validationTimeoutMs),
      redirect: 'manual',
    });
    const text = await answer.text();
    ok =
      answer.status === 200 &&
      (answer.headers.get('content-type') ?? '').startsWith('text/plain') &&
      text === token;
  } catch {
    ok = false;
  }
  state.validations.push({ url, ok });
  return ok;
}

async function post(
  state: FakeState,
  subscription: FakeSubscription,
  url: string,
  body: unknown,
): Promise<number> {
  let status = 0;
  try {
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(state.validationTimeoutMs),
      redirect: 'manual',
    });
    await answer.body?.cancel();
    status = answer.status;
  } catch {
    status = 0;
  }
  state.deliveries.push({ subscriptionId: subscription.id, url, body, status });
  return status;
}

export type NotifyOptions = {
  readonly changeType?: 'created' | 'updated' | 'deleted';
  /** The event the notification names; a made-up id when absent. */
  readonly eventId?: string;
};

/**
 * POSTs a change notification to every live subscription of the calendar (and the mailbox's
 * `me/events` ones), as Graph does: `{value: [{subscriptionId, clientState, changeType, resource,
 * subscriptionExpirationDateTime, tenantId, resourceData}]}`. Resolves with each receiver's status.
 */
export async function notifyCalendar(
  state: FakeState,
  calendarId: string,
  options: NotifyOptions = {},
): Promise<{ subscriptionId: string; status: number }[]> {
  const calendar = state.calendars.get(calendarId);
  if (calendar === undefined) throw new Error(`fake-microsoft: no calendar ${calendarId}`);
  const user = state.users.get(calendar.userId)!;
  const eventId = options.eventId ?? `AAMkEv${randomBytes(8).toString('hex')}`;
  const changeType = options.changeType ?? 'updated';
  const targets = [...state.subscriptions.keys()]
    .map((id) => liveSubscription(state, id, calendar.userId))
    .filter((s): s is FakeSubscription => s !== null)
    .filter(
      (s) =>
        (s.calendarId === null || s.calendarId === calendarId) &&
        s.changeType.split(',').includes(changeType),
    );
  return Promise.all(
    targets.map(async (subscription) => {
      const resource = `Users/${user.id}/Events/${eventId}`;
      const status = await post(state, subscription, subscription.notificationUrl, {
        value: [
          {
            subscriptionId: subscription.id,
            subscriptionExpirationDateTime: new Date(subscription.expiresAt).toISOString(),
            changeType,
            resource,
            resourceData: {
              '@odata.type': '#Microsoft.Graph.Event',
              '@odata.id': resource,
              '@odata.etag': `W/"${randomBytes(6).toString('hex')}"`,
              id: eventId,
            },
            clientState: subscription.clientState,
            tenantId: user.tenantId,
          },
        ],
      });
      return { subscriptionId: subscription.id, status };
    }),
  );
}

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

/**
 * A lifecycle notification to the subscription's lifecycleNotificationUrl (its notificationUrl
 * when it has none). `subscriptionRemoved` drops the subscription first, as Graph has. Resolves
 * with the receiver's status.
 */
export async function sendLifecycle(
  state: FakeState,
  subscriptionId: string,
  lifecycleEvent: LifecycleEvent,
) {
  const subscription = state.subscriptions.get(subscriptionId);
  if (subscription === undefined) throw new Error(`fake-microsoft: no subscription ${subscriptionId}`);
  if (lifecycleEvent === 'subscriptionRemoved') state.subscriptions.delete(subscriptionId);
  const user = state.users.get(subscription.userId)!;
  return post(state, subscription, subscription.lifecycleNotificationUrl ?? subscription.notificationUrl, {
    value: [
      {
        subscriptionId,
        subscriptionExpirationDateTime: new Date(subscription.expiresAt).toISOString(),
        tenantId: user.tenantId,
        clientState: subscription.clientState,
        lifecycleEvent,
      },
    ],
  });
}
