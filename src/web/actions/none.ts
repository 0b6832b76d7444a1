/** `POST /book/{token}/none`: "None of these times work" (SPEC 6.2). */
import type { FastifyInstance } from 'fastify';
import { reportNoTimesSuitable } from '../../app/booking.ts';
import { statusOf } from '../../app/link-model.ts';
import { FORM_BODY_LIMIT, type PageKit } from '../page-kit.ts';
import { pageUrl, type TokenParams } from '../session.ts';

export function registerNone(scope: FastifyInstance, kit: PageKit): void {
  scope.post<{ Params: TokenParams }>(
    '/:token/none',
    { bodyLimit: FORM_BODY_LIMIT },
    async (request, reply) => {
      const post = await kit.openPost(request, reply);
      if (post === undefined) return reply;
      const { token, zone, loaded } = post;
      // A closed link shows its own state instead (completed, disabled, expired).
      if (statusOf(loaded.link, kit.ctx.clock.now()) !== 'open')
        return reply.redirect(pageUrl(token, zone), 303);
      const result = await reportNoTimesSuitable(kit.ctx, loaded.link);
      const back = { href: pageUrl(token, zone), label: 'Back to the available times' };
      return result.notified
        ? kit.message(
            reply,
            200,
            'Thanks, the organiser has been told',
            ['We have let the organiser know that none of these times work for you. They will be in touch.'],
            { back },
          )
        : kit.message(
            reply,
            200,
            'Thanks for letting us know',
            ['Please contact the organiser directly to find another time.'],
            { back },
          );
    },
  );
}
