/** `GET /book/{token}/itinerary.ics`: the booked itinerary for the invitee's own calendar (SPEC 6.2). */
import type { FastifyInstance } from 'fastify';
import { statusOf } from '../../app/links/link-model.ts';
import { loadLinkForPage } from '../../app/links/links.ts';
import { itineraryIcs } from '../page-data.ts';
import type { PageKit } from '../page-kit.ts';
import type { TokenParams } from '../session.ts';

export function registerItinerary(scope: FastifyInstance, kit: PageKit): void {
  scope.get<{ Params: TokenParams; Querystring: Record<string, unknown> }>(
    '/:token/itinerary.ics',
    async (request, reply) => {
      const { token } = request.params;
      const loaded = await loadLinkForPage(kit.ctx, token);
      if (loaded === undefined) return kit.notFound(request, reply);
      const { link, application } = loaded;
      if (statusOf(link, kit.ctx.clock.now()) !== 'completed' || link.booked === null) {
        const env = kit.env(request, { token, link, application, raw: request.query });
        return kit.say(reply, 404, env, 'no_itinerary', { back: kit.back(env, 'back_to_page') });
      }
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', 'attachment; filename="itinerary.ics"')
        .send(itineraryIcs(link, link.booked));
    },
  );
}
