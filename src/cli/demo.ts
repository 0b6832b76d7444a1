/**
 * `rtseq serve --demo` (what `npm start` runs): on an empty database, seed the demo application
 * (app/demo.ts), create a Real-Time Sequencing link over it and print how to use both.
 */
import { createDemo, type DemoSetup } from '../app/demo.ts';
import type { Config } from '../config/config.ts';
import type { Running } from '../main.ts';

/** A link request shaped like the example in Cronofy's documentation, over the demo accounts. */
export function demoLinkBody(config: Config, demo: DemoSetup, now: number): Record<string, unknown> {
  const day = (offset: number) => new Date(now + offset * 86_400_000).toISOString().slice(0, 10);
  return {
    oauth: { redirect_uri: `${config.publicUrl}/v1/status`, state: 'demo-state' },
    event: {
      event_id: 'demo-interview',
      summary: 'Product Manager Interview at Globex',
      tzid: 'Europe/London',
    },
    availability: {
      sequence: [
        {
          sequence_id: '123',
          ordinal: 1,
          participants: [
            {
              members: [{ sub: demo.recruiter.sub, calendar_ids: [demo.recruiter.calendarId] }],
              required: 'all',
            },
          ],
          event: { event_id: 'demo-pre-screen', summary: 'Pre screen' },
          required_duration: { minutes: 60 },
        },
        {
          sequence_id: '456',
          ordinal: 2,
          participants: [
            {
              members: [
                {
                  sub: demo.engineers[0]!.sub,
                  available_periods: [
                    { start: `${day(1)}T09:00:00Z`, end: `${day(1)}T12:00:00Z` },
                    { start: `${day(2)}T10:00:00Z`, end: `${day(2)}T20:00:00Z` },
                  ],
                },
              ],
              required: 'all',
            },
          ],
          event: { event_id: 'demo-face-to-face', summary: 'Face to face' },
          required_duration: { minutes: 60 },
        },
      ],
      query_periods: [
        { start: `${day(1)}T09:00:00Z`, end: `${day(1)}T18:00:00Z` },
        { start: `${day(2)}T09:00:00Z`, end: `${day(2)}T18:00:00Z` },
      ],
    },
    target_calendars: [{ sub: demo.recruiter.sub, calendar_id: demo.recruiter.calendarId }],
    selection_mode: 'confirm',
    tzid: 'Europe/London',
  };
}

function printDemo(
  config: Config,
  demo: DemoSetup,
  body: Record<string, unknown>,
  linkUrl: string | undefined,
): void {
  process.stdout.write(
    [
      '',
      'Demo application created.',
      `  client_id:     ${demo.clientId}`,
      `  client_secret: ${demo.clientSecret}`,
      `  recruiter sub: ${demo.recruiter.sub} (access token ${demo.recruiter.accessToken})`,
      `  engineers:     ${demo.engineers.map((e) => e.sub).join(', ')}`,
      '',
      linkUrl === undefined ? '' : `Open the demo Real-Time Sequencing link: ${linkUrl}`,
      '',
      'Create another link (the response carries its url):',
      `  curl -s ${config.publicUrl}/v1/real_time_sequencing \\`,
      `    -H 'Authorization: Bearer ${demo.clientSecret}' -H 'Content-Type: application/json' \\`,
      `    -d '${JSON.stringify(body)}'`,
      '',
    ].join('\n'),
  );
}

/** Seeds the demo on an empty database (nothing otherwise) through the running server's API. */
export async function startDemo(config: Config, running: Running): Promise<void> {
  const { ctx, app, logger } = running;
  const demo = await createDemo(ctx);
  if (demo === null) return;
  const body = demoLinkBody(config, demo, ctx.clock.now());
  const created = await app.inject({
    method: 'POST',
    url: '/v1/real_time_sequencing',
    headers: { authorization: `Bearer ${demo.clientSecret}` },
    payload: body,
  });
  const linkUrl = created.statusCode === 200 ? (created.json() as { url?: string }).url : undefined;
  if (linkUrl === undefined)
    logger.warn({ status: created.statusCode, body: created.body }, 'demo link not created');
  printDemo(config, demo, body, linkUrl);
}
