/** `GET /book/{token}/itinerary.ics`: the booked itinerary for the invitee's own calendar (SPEC 6.2). */
import type { FastifyInstance } from 'fastify';
import { linkByToken } from '../../app/links.ts';
import { itineraryIcs } from '../page-data.ts';
import type { PageKit } from '../page-kit.ts';
import { basePath, type TokenParams } from '../session.ts';

export function registerItinerary(scope: FastifyInstance, kit: PageKit): void {
  scope.get<{ Params: TokenParams }>('/:token/itinerary.ics', async (request, reply) => {
    const { token } = request.params;
    const link = await linkByToken(kit.ctx, token);
    if (link === undefined) return kit.notFound(reply);
    if (link.status !== 'completed' || link.booked === null) {
      return kit.message(reply, 404, 'No itinerary yet', ['This link has not been booked.'], {
        back: { href: basePath(token), label: 'Back to the booking page' },
      });
    }
    return reply
      .type('text/calendar; charset=utf-8')
      .header('content-disposition', 'attachment; filename="itinerary.ics"')
      .send(itineraryIcs(link, link.booked));
  });
}
