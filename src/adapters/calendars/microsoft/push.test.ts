import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Receiver, rejectsWith, type Setup, setup, startReceiver } from './microsoft.test-support.ts';
import { SUBSCRIPTION_MINUTES } from './subscriptions.ts';

describe('Microsoft Graph: subscriptions and notifications', () => {
  let s: Setup;
  let receiver: Receiver;
  before(async () => {
    s = await setup({ autoNotify: true, accessTokenSeconds: 86_400 });
    receiver = await startReceiver();
  });
  after(async () => {
    await s.close();
    await receiver.close();
  });

  test('watch subscribes the calendar once the address answers the validation handshake', async () => {
    receiver.posts.length = 0;
    const watch = await s.provider.watch(s.accessToken, s.calendar.id, receiver.url, 'secret-1', s.options());
    assert.equal(watch.resourceId, null);
    assert.equal(watch.expiresAt, s.clock.now + SUBSCRIPTION_MINUTES * 60_000);
    assert.ok(SUBSCRIPTION_MINUTES <= 4230);
    assert.ok(receiver.posts[0]?.query.get('validationToken'));
    const [subscription] = s.fake.subscriptions().filter((x) => x.id === watch.id);
    assert.deepEqual(
      {
        resource: subscription?.resource,
        changeType: subscription?.changeType,
        clientState: subscription?.clientState,
        notificationUrl: subscription?.notificationUrl,
        lifecycleNotificationUrl: subscription?.lifecycleNotificationUrl,
      },
      {
        resource: `me/calendars/${s.calendar.id}/events`,
        changeType: 'created,updated,deleted',
        clientState: 'secret-1',
        notificationUrl: receiver.url,
        lifecycleNotificationUrl: receiver.url,
      },
    );
    await s.provider.stopWatch(s.accessToken, watch, s.options());
  });

  test('a change pushes a notification carrying the clientState; lifecycle notifications reach the same address', async () => {
    const watch = await s.provider.watch(s.accessToken, s.calendar.id, receiver.url, 'secret-2', s.options());
    receiver.posts.length = 0;
    const event = s.fake.addEvent(s.calendar.id, {
      start: s.clock.now + 3_600_000,
      end: s.clock.now + 7_200_000,
    });
    await s.fake.settled();
    const notification = JSON.parse(receiver.posts.at(-1)!.body) as { value: Record<string, unknown>[] };
    assert.equal(notification.value[0]?.subscriptionId, watch.id);
    assert.equal(notification.value[0]?.clientState, 'secret-2');
    assert.equal(notification.value[0]?.changeType, 'created');
    assert.equal(notification.value[0]?.resource, `Users/${s.user.id}/Events/${event.id}`);

    assert.equal(await s.fake.lifecycle(watch.id, 'reauthorizationRequired'), 202);
    const lifecycle = JSON.parse(receiver.posts.at(-1)!.body) as { value: Record<string, unknown>[] };
    assert.equal(lifecycle.value[0]?.lifecycleEvent, 'reauthorizationRequired');
    assert.equal(lifecycle.value[0]?.clientState, 'secret-2');

    // The answer to reauthorizationRequired: renew in place.
    s.clock.now += 60 * 60_000;
    const renewed = await s.provider.renewWatch(s.accessToken, watch, s.options());
    assert.equal(renewed.id, watch.id);
    assert.equal(renewed.expiresAt, s.clock.now + SUBSCRIPTION_MINUTES * 60_000);

    await s.fake.lifecycle(watch.id, 'subscriptionRemoved');
    await rejectsWith(s.provider.renewWatch(s.accessToken, watch, s.options()), 'not_found');
  });

  test('an address that does not echo the token as text/plain makes watch fail', async () => {
    for (const mode of ['refuse', 'json'] as const) {
      receiver.mode = mode;
      const before = s.fake.subscriptions().length;
      await rejectsWith(
        s.provider.watch(s.accessToken, s.calendar.id, receiver.url, 'secret-3', s.options()),
        'bad_response',
      );
      assert.equal(s.fake.subscriptions().length, before);
    }
    receiver.mode = 'echo';
  });

  test('stopWatch deletes the subscription, and one already gone succeeds', async () => {
    const watch = await s.provider.watch(s.accessToken, s.calendar.id, receiver.url, 'secret-4', s.options());
    await s.provider.stopWatch(s.accessToken, watch, s.options());
    assert.ok(!s.fake.subscriptions().some((x) => x.id === watch.id));
    await s.provider.stopWatch(s.accessToken, watch, s.options());
    const statuses = await s.fake.notify(s.calendar.id);
    assert.ok(statuses.every((x) => x.subscriptionId !== watch.id));
  });
});
