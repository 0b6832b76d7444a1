/** `GET /book/{token}`: the page in the link's current state (SPEC 6.2). */
import type { FastifyInstance } from 'fastify';
import type { OpenState } from '../../app/booking/booking.ts';
import { changeWords, clockOf } from '../change-pages.ts';
import type { PageKit } from '../page-kit.ts';
import type { TokenParams } from '../session.ts';
import type { Notice, PageEnv } from '../views/common.ts';

type Query = Record<string, unknown>;

/** While rescheduling (SPEC 6.6), the page says the current booking stays until a new time is chosen. */
function reschedulingNotice(env: PageEnv, state: OpenState): Notice[] {
  const booked = state.link.booked;
  if (state.link.status !== 'rescheduling' || booked === null) return [];
  const clock = clockOf(env, booked.steps);
  const current = booked.steps
    .map((s) => `${s.summary}: ${clock.shortDay(s.start)}, ${clock.time(s.start)} – ${clock.time(s.end)}`)
    .join('; ');
  return [{ tone: 'info', text: changeWords(env)('rescheduling_notice', { current }) }];
}

export function registerView(scope: FastifyInstance, kit: PageKit): void {
  scope.get<{ Params: TokenParams; Querystring: Query }>('/:token', async (request, reply) => {
    const { token } = request.params;
    const { holder, isNew } = kit.sessions.open(request, reply);
    const state = await kit.views.view(token);
    if (state === undefined) return kit.notFound(request, reply);
    const env = kit.env(request, {
      token,
      link: state.link,
      application: state.application,
      raw: request.query,
    });
    if (state.kind !== 'open')
      return kit.renderClosed(reply, env, state, { holder: isNew ? undefined : holder, submitted: false });
    // After a choice that lost its time (POST-redirect-GET), say why.
    const taken = request.query.taken;
    const notices: Notice[] =
      taken === 'held' || taken === 'booked' || taken === 'unchecked'
        ? [{ tone: 'warn', text: env.t(`taken_${taken}`) }]
        : [];
    notices.push(...reschedulingNotice(env, state));
    return kit.renderOpen(reply, 200, env, state, kit.sessions.csrf(token, holder), {
      notices,
      detectZone: typeof request.query.tz !== 'string',
    });
  });
}
