/**
 * The invitee's reschedule and cancel pages under the link's token (SPEC 6.6):
 * `GET /book/{token}/reschedule` and `…/cancel` show what would change; the POSTs (session and
 * CSRF checked) do it. Cancel always has this confirmation step. The link must allow the action,
 * and the cutoff before the first booked step is enforced on every request.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cancelLink, requestReschedule } from '../../app/links/link-changes.ts';
import { type InviteeAction, inviteeMay, type Link } from '../../app/links/link-model.ts';
import { loadLinkForPage } from '../../app/links/links.ts';
import { DomainError } from '../../domain/errors.ts';
import { type ChangeView, cancelPage, changeWords, clockOf, reschedulePage } from '../change-pages.ts';
import { eventInfo, itinerarySteps } from '../page-data.ts';
import { FORM_BODY_LIMIT, type PageKit } from '../page-kit.ts';
import type { TokenParams } from '../session.ts';
import { type PageEnv, pageHref } from '../views/common.ts';

type Query = Record<string, unknown>;
const REASON_MAX = 500;

function viewOf(link: Link, csrf: string): ChangeView {
  return {
    csrf,
    event: eventInfo(link.request),
    steps: itinerarySteps(link.request, link.booked ?? { steps: [] }),
  };
}

/**
 * Answers a request the invitee may not make now, or undefined when the action is allowed. A link
 * without a booking (open, rescheduling, …) sends the visitor to its page, which shows its state;
 * a cancelled one says so.
 */
function refusal(
  kit: PageKit,
  reply: FastifyReply,
  env: PageEnv,
  link: Link,
  action: InviteeAction,
): FastifyReply | undefined {
  const verdict = inviteeMay(link, action, kit.ctx.clock.now());
  if (verdict.allowed) return undefined;
  const w = changeWords(env);
  const back = { href: pageHref(env), label: w('back_to_booking') };
  switch (verdict.reason) {
    case 'not_allowed':
      return kit.message(reply, 403, env, {
        title: w('not_allowed_title'),
        paragraphs: [w('not_allowed_text')],
        back,
        contact: true,
      });
    case 'cutoff': {
      const first = Math.min(...(link.booked?.steps ?? []).map((s) => s.start));
      const clock = clockOf(env, [{ start: first, end: first }]);
      const text = w('cutoff_text', {
        cutoff: env.formats.duration(link.request.inviteeActionCutoffMinutes),
        start: `${clock.day(first)}, ${clock.time(first)}`,
      });
      return kit.message(reply, 403, env, {
        title: w('cutoff_title'),
        paragraphs: [text],
        back,
        contact: true,
      });
    }
    case 'not_booked':
      if (link.status === 'cancelled') return kit.say(reply, 410, env, 'cancelled', { contact: true });
      return reply.redirect(pageHref(env), 303);
  }
}

/** The link's state no longer allows the change (decided on the row the change locked). */
function changedMeanwhile(error: unknown): boolean {
  return error instanceof DomainError && error.code === 'conflict';
}

/** The GET of either page: the link, the visitor's settings, the check, then the page. */
async function show(
  kit: PageKit,
  request: FastifyRequest<{ Params: TokenParams; Querystring: Query }>,
  reply: FastifyReply,
  action: InviteeAction,
) {
  const { token } = request.params;
  const { holder } = kit.sessions.open(request, reply);
  const loaded = await loadLinkForPage(kit.ctx, token);
  if (loaded === undefined) return kit.notFound(request, reply);
  const { link, application } = loaded;
  const env = kit.env(request, { token, link, application, raw: request.query });
  const refused = refusal(kit, reply, env, link, action);
  if (refused !== undefined) return refused;
  const view = viewOf(link, kit.sessions.csrf(token, holder));
  return action === 'reschedule'
    ? kit.send(reply, 200, reschedulePage(env, view), env)
    : kit.send(reply, 200, cancelPage(env, { ...view, reason: '', error: null }), env);
}

export function registerChange(scope: FastifyInstance, kit: PageKit): void {
  const { ctx } = kit;

  scope.get<{ Params: TokenParams; Querystring: Query }>('/:token/reschedule', (request, reply) =>
    show(kit, request, reply, 'reschedule'),
  );
  scope.get<{ Params: TokenParams; Querystring: Query }>('/:token/cancel', (request, reply) =>
    show(kit, request, reply, 'cancel'),
  );

  scope.post<{ Params: TokenParams }>(
    '/:token/reschedule',
    { bodyLimit: FORM_BODY_LIMIT },
    async (request, reply) => {
      const post = await kit.openPost(request, reply);
      if (post === undefined) return reply;
      const { loaded, env } = post;
      const refused = refusal(kit, reply, env, loaded.link, 'reschedule');
      if (refused !== undefined) return refused;
      try {
        await requestReschedule(ctx, loaded, null, 'invitee');
      } catch (error) {
        // Changed meanwhile (another tab, the application, the cutoff): the page shows what it is now.
        if (changedMeanwhile(error)) return reply.redirect(pageHref(env), 303);
        if (!(error instanceof DomainError) || error.code !== 'invalid_request') throw error;
        const w = changeWords(env);
        return kit.message(reply, 409, env, {
          title: w('no_times_title'),
          paragraphs: [w('no_times_text')],
          back: { href: pageHref(env), label: w('back_to_booking') },
          contact: true,
        });
      }
      return reply.redirect(pageHref(env), 303);
    },
  );

  scope.post<{ Params: TokenParams }>(
    '/:token/cancel',
    { bodyLimit: FORM_BODY_LIMIT },
    async (request, reply) => {
      const post = await kit.openPost(request, reply);
      if (post === undefined) return reply;
      const { loaded, env, token, holder } = post;
      const refused = refusal(kit, reply, env, loaded.link, 'cancel');
      if (refused !== undefined) return refused;
      const reason =
        typeof post.form.reason === 'string' ? post.form.reason.replace(/\r\n?/g, '\n').trim() : '';
      if ([...reason].length > REASON_MAX) {
        const view = viewOf(loaded.link, kit.sessions.csrf(token, holder));
        const page = cancelPage(env, { ...view, reason, error: changeWords(env)('reason_too_long') });
        return kit.send(reply, 400, page, env);
      }
      try {
        await cancelLink(ctx, loaded.link, reason === '' ? null : reason, 'invitee');
      } catch (error) {
        if (changedMeanwhile(error)) return reply.redirect(pageHref(env), 303);
        throw error;
      }
      const w = changeWords(env);
      return kit.message(reply, 200, env, { title: w('cancelled_title'), paragraphs: [w('cancelled_text')] });
    },
  );
}
