/** `GET /book/{token}`: the page in the link's current state (SPEC 6.2). */
import type { FastifyInstance } from 'fastify';
import { viewerZone } from '../format.ts';
import type { PageKit } from '../page-kit.ts';
import { holderKeyOf } from '../security.ts';
import type { TokenParams } from '../session.ts';

export function registerView(scope: FastifyInstance, kit: PageKit): void {
  scope.get<{ Params: TokenParams; Querystring: { tz?: unknown } }>('/:token', async (request, reply) => {
    const { token } = request.params;
    const { holder, isNew } = kit.sessions.open(request, reply);
    const state = await kit.views.view(token, isNew ? undefined : holderKeyOf(holder));
    if (state === undefined) return kit.notFound(reply);
    const zone = viewerZone(request.query.tz, state.link.request.sequence.tzid);
    const form = kit.sessions.formContext(token, holder, zone);
    if (state.kind !== 'open')
      return kit.renderClosed(reply, state, form, { holder: isNew ? undefined : holder, submitted: false });
    return kit.renderOpen(reply, 200, state, form, { detectZone: typeof request.query.tz !== 'string' });
  });
}
