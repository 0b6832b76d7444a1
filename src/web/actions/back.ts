/** `POST /book/{token}/back`: Back on the confirmation page ends the hold at once (SPEC 5.6). */
import type { FastifyInstance } from 'fastify';
import { releaseHold } from '../../app/booking/booking.ts';
import { FORM_BODY_LIMIT, type PageKit } from '../page-kit.ts';
import { holderKeyOf } from '../security.ts';
import type { TokenParams } from '../session.ts';
import { pageHref } from '../views/common.ts';

export function registerBack(scope: FastifyInstance, kit: PageKit): void {
  scope.post<{ Params: TokenParams }>(
    '/:token/back',
    { bodyLimit: FORM_BODY_LIMIT },
    async (request, reply) => {
      const post = await kit.openPost(request, reply);
      if (post === undefined) return reply;
      await releaseHold(kit.ctx, post.loaded.link, holderKeyOf(post.holder));
      return reply.redirect(pageHref(post.env), 303);
    },
  );
}
