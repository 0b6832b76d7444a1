/**
 * The demo (app/demo.ts) on the command line: `rtseq serve --demo` (what `npm start` runs) creates
 * it on an empty database and refreshes it on every later start; `rtseq demo` creates or refreshes
 * it on any database. Both print the credentials, every account with its calendar and a fresh
 * token, and a new Real-Time Sequencing link whose query periods start tomorrow.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/context.ts';
import { DEMO_PATHS, type DemoAccount, type DemoSetup, prepareDemo } from '../app/demo.ts';
import type { Config } from '../config/config.ts';
import { buildServer } from '../server.ts';
import type { Running } from '../wiring/serve.ts';
import { demoReceiverUrl, VERSION } from '../wiring/wire.ts';
import type { Args } from './args.ts';
import { withContext } from './context.ts';

/** A link request shaped like the example in Cronofy's documentation, over the demo accounts. */
export function demoLinkBody(config: Config, demo: DemoSetup, now: number): Record<string, unknown> {
  const day = (offset: number) => new Date(now + offset * 86_400_000).toISOString().slice(0, 10);
  return {
    oauth: { redirect_uri: `${config.publicUrl}${DEMO_PATHS.back}`, state: 'demo-state' },
    callback_url: demoReceiverUrl(config),
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

function accountLine(role: string, account: DemoAccount): string[] {
  return [
    `  ${role.padEnd(10)} ${account.name}`,
    `             sub ${account.sub}  calendar_id ${account.calendarId}`,
    `             access_token ${account.accessToken}`,
  ];
}

/** What the demo prints: everything needed to try the API and the page, all valid now. */
export function demoBanner(
  config: Config,
  demo: DemoSetup,
  body: Record<string, unknown>,
  linkUrl: string | undefined,
): string {
  return [
    '',
    demo.created
      ? 'Demo application created.'
      : 'Demo application (fresh credentials; the secret printed before is revoked).',
    `  client_id      ${demo.clientId}`,
    `  client_secret  ${demo.clientSecret}`,
    ...accountLine('recruiter', demo.recruiter),
    ...demo.engineers.flatMap((engineer) => accountLine('engineer', engineer)),
    '',
    linkUrl === undefined
      ? 'The demo link could not be created (see the log).'
      : `Open the demo Real-Time Sequencing link (times from tomorrow): ${linkUrl}`,
    `Callbacks of demo links arrive at ${demoReceiverUrl(config)} (with their HMAC checked).`,
    '',
    'Create another link (the response carries its url):',
    `  curl -s ${config.publicUrl}/v1/real_time_sequencing \\`,
    `    -H 'Authorization: Bearer ${demo.clientSecret}' -H 'Content-Type: application/json' \\`,
    `    -d '${JSON.stringify(body)}'`,
    '',
    'Every start prints fresh credentials and a fresh link; `npm run rtseq -- demo` does too.',
    `To start over, stop the server and delete the database (${config.databaseUrl === null ? config.sqlitePath : 'DATABASE_URL'}).`,
    '',
  ].join('\n');
}

/** Creates the demo link through the API (as an integrating application would). */
async function createDemoLink(app: FastifyInstance, config: Config, ctx: AppContext, demo: DemoSetup) {
  const body = demoLinkBody(config, demo, ctx.clock.now());
  const created = await app.inject({
    method: 'POST',
    url: '/v1/real_time_sequencing',
    headers: { authorization: `Bearer ${demo.clientSecret}` },
    payload: body,
  });
  const url = created.statusCode === 200 ? (created.json() as { url?: string }).url : undefined;
  return {
    body,
    url,
    failure: url === undefined ? { status: created.statusCode, body: created.body } : null,
  };
}

/** `serve --demo`: creates the demo on an empty database, refreshes an existing one; prints it. */
export async function startDemo(config: Config, running: Running): Promise<void> {
  const { ctx, app, logger } = running;
  const demo = await prepareDemo(ctx, 'empty');
  if (demo === null) {
    logger.info(
      'demo not prepared: this database has applications and no demo application (run `rtseq demo`)',
    );
    return;
  }
  const link = await createDemoLink(app, config, ctx, demo);
  if (link.failure !== null) logger.warn(link.failure, 'demo link not created');
  process.stdout.write(demoBanner(config, demo, link.body, link.url));
}

/** `rtseq demo`: creates or refreshes the demo in this database and prints it. */
export async function runDemoCommand(
  config: Config,
  _args: Args,
  out: (text: string) => void,
): Promise<boolean> {
  const printed = await withContext(
    config,
    async (ctx) => {
      const demo = await prepareDemo(ctx, 'always');
      if (demo === null) return 'The demo could not be prepared.';
      const app = buildServer({ ctx, logger: false, version: VERSION });
      try {
        const link = await createDemoLink(app, config, ctx, demo);
        const failure = link.failure === null ? '' : `\nThe demo link was refused: ${link.failure.body}`;
        return `${demoBanner(config, demo, link.body, link.url)}${failure}`;
      } finally {
        await app.close();
      }
    },
    { demo: true },
  );
  out(printed);
  return true;
}
