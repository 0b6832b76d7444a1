/**
 * `GET /book/{token}/live?from=…&to=…`: a small JSON view of the shared page state, for the
 * script's poll (SPEC 6.2: options that stop being available are marked within 10 s). It is
 * answered from the same per-link computation the page uses (SharedViews), never from work of its
 * own: `{"status": "open", "keys": [option keys starting in [from, to)]}`.
 */
import type { FastifyInstance } from 'fastify';
import { optionKey } from '../../app/booking/booking.ts';
import { labelSpan } from '../../app/booking/rebooking.ts';
import type { PageKit } from '../page-kit.ts';
import type { TokenParams } from '../session.ts';

function instant(value: unknown): number | undefined {
  return typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

export function registerLive(scope: FastifyInstance, kit: PageKit): void {
  scope.get<{ Params: TokenParams; Querystring: Record<string, unknown> }>(
    '/:token/live',
    async (request, reply) => {
      const state = await kit.views.view(request.params.token);
      if (state === undefined) return reply.code(404).send({ status: 'not_found' });
      if (state.kind !== 'open') return { status: state.kind, keys: [] };
      const from = instant(request.query.from) ?? 0;
      const to = instant(request.query.to) ?? Number.MAX_SAFE_INTEGER;
      const keys: string[] = [];
      for (const option of state.options) {
        // The same start the page groups and labels the option by (the moving step's, SPEC 6.6).
        const { start } = labelSpan(option, state.moving);
        if (start >= from && start < to) keys.push(optionKey(option));
      }
      return { status: 'open', keys };
    },
  );
}
