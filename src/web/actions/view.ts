/** `GET /book/{token}`: the page in the link's current state (SPEC 6.2, 6.6). */
import type { FastifyInstance } from 'fastify';
import type { OpenState } from '../../app/booking.ts';
import { stepWhen } from '../change-pages.ts';
import { viewerZone } from '../format.ts';
import { changeTranslator } from '../i18n/changes.ts';
import type { Locale } from '../i18n/index.ts';
import { LocalClock, WallFormats } from '../intl.ts';
import type { PageKit } from '../page-kit.ts';
import { holderKeyOf } from '../security.ts';
import type { TokenParams } from '../session.ts';
import { changeLocale } from './change.ts';

/** While rescheduling, the page says that the current booking stays until a new time is chosen. */
function reschedulingNotice(state: OpenState, zone: string, locale: Locale) {
  const booked = state.link.booked;
  if (state.link.status !== 'rescheduling' || booked === null) return [];
  const clock = new LocalClock(
    zone,
    booked.steps.flatMap((s) => [s.start, s.end]),
    new WallFormats(locale.tag, state.request.hourFormat),
  );
  const current = booked.steps.map((s) => `${s.summary}: ${stepWhen(clock, s)}`).join('; ');
  return [
    { tone: 'info' as const, text: changeTranslator(locale.language)('rescheduling_notice', { current }) },
  ];
}

export function registerView(scope: FastifyInstance, kit: PageKit): void {
  scope.get<{ Params: TokenParams; Querystring: { tz?: unknown; lang?: unknown } }>(
    '/:token',
    async (request, reply) => {
      const { token } = request.params;
      const { holder, isNew } = kit.sessions.open(request, reply);
      const state = await kit.views.view(token, isNew ? undefined : holderKeyOf(holder));
      if (state === undefined) return kit.notFound(reply);
      const zone = viewerZone(request.query.tz, state.link.request.sequence.tzid);
      const form = kit.sessions.formContext(token, holder, zone);
      const locale = changeLocale(request, request.query.lang);
      if (state.kind !== 'open') {
        return kit.renderClosed(reply, state, form, {
          holder: isNew ? undefined : holder,
          submitted: false,
          language: locale.language,
        });
      }
      return kit.renderOpen(reply, 200, state, form, {
        detectZone: typeof request.query.tz !== 'string',
        notices: reschedulingNotice(state, zone, locale),
      });
    },
  );
}
