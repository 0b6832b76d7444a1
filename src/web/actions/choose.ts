/**
 * `POST /book/{token}/choose` and `…/confirm`: the invitee picks an option; in `confirm` mode it is
 * held and the confirmation page shown, otherwise (and on Confirm) it is booked (SPEC 6.2, 6.3).
 * Every answer is a redirect to a GET (POST-redirect-GET), so a reload never submits again:
 * booked → the completed page; held → `GET …/confirm?option=…`; taken → the page with why.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  bookOption,
  CalendarsUncheckedError,
  type ChoiceOutcome,
  type ChosenSteps,
  confirmHeld,
  holdOption,
  optionKey,
  parseOptionKey,
} from '../../app/booking/booking.ts';
import { couldHaveBeenOffered } from '../../app/booking/choice-check.ts';
import { holdExpiry, takenReason } from '../../app/booking/taken-reason.ts';
import { offersTimes } from '../../app/links/link-lifecycle.ts';
import { statusOf } from '../../app/links/link-model.ts';
import type { LoadedLink } from '../../app/links/links.ts';
import { loadLinkForPage } from '../../app/links/links.ts';
import { eventInfo, stepDetails } from '../page-data.ts';
import { FORM_BODY_LIMIT, type PageKit, type PagePost } from '../page-kit.ts';
import { holderFrom, holderKeyOf } from '../security.ts';
import type { TokenParams } from '../session.ts';
import { pageHref } from '../views/common.ts';
import { confirmPage } from '../views/pages.ts';

/**
 * What a choose or confirm submit leads to. Caches learn of the booking or hold from the use case
 * itself (app/links/link-events.ts), not from here.
 */
async function answer(
  kit: PageKit,
  reply: FastifyReply,
  post: PagePost,
  chosen: ChosenSteps,
  outcome: ChoiceOutcome,
) {
  const { holder, env } = post;
  switch (outcome.kind) {
    case 'booked':
      return reply.redirect(pageHref(env), 303);
    case 'held': {
      const href = `${pageHref(env, {}, '/confirm')}&option=${encodeURIComponent(optionKey(outcome.option))}`;
      return reply.redirect(href, 303);
    }
    case 'taken': {
      const reason = await takenReason(kit.ctx, post.loaded.link, chosen);
      return reply.redirect(`${pageHref(env)}&taken=${reason}`, 303);
    }
    default:
      return kit.renderClosed(reply, env, outcome, { holder, submitted: true });
  }
}

type Act = (loaded: LoadedLink, chosen: ChosenSteps, holderKey: string) => Promise<ChoiceOutcome>;

/** Choose and Confirm differ only in the action taken on a well-formed option. */
async function submitChoice(
  kit: PageKit,
  request: FastifyRequest<{ Params: TokenParams }>,
  reply: FastifyReply,
  act: Act,
) {
  const post = await kit.openPost(request, reply);
  if (post === undefined) return reply;
  const chosen = parseOptionKey(post.form.option);
  // Refused before any computing: an option that could never have been offered (SPEC 9).
  if (chosen === undefined || !couldHaveBeenOffered(post.loaded.link.request.sequence, chosen)) {
    return kit.say(reply, 400, post.env, 'bad_choice', { back: kit.back(post.env) });
  }
  let outcome: ChoiceOutcome;
  try {
    outcome = await act(post.loaded, chosen, holderKeyOf(post.holder));
  } catch (error) {
    if (!(error instanceof CalendarsUncheckedError)) throw error;
    return reply.redirect(`${pageHref(post.env)}&taken=unchecked`, 303);
  }
  return answer(kit, reply, post, chosen, outcome);
}

/** `GET /book/{token}/confirm?option=…`: the confirmation page of this session's own hold. */
function registerConfirmPage(scope: FastifyInstance, kit: PageKit): void {
  scope.get<{ Params: TokenParams; Querystring: Record<string, unknown> }>(
    '/:token/confirm',
    async (request, reply) => {
      const { token } = request.params;
      const holder = holderFrom(request.headers.cookie);
      const chosen = parseOptionKey(request.query.option);
      const loaded = await loadLinkForPage(kit.ctx, token);
      if (loaded === undefined) return kit.notFound(request, reply);
      const { link, application } = loaded;
      const env = kit.env(request, { token, link, application, raw: request.query });
      const expiresAt =
        holder === undefined || chosen === undefined || !offersTimes(statusOf(link, kit.ctx.clock.now()))
          ? undefined
          : await holdExpiry(kit.ctx, link, chosen, holderKeyOf(holder));
      // No hold of this session (expired, released, another browser): back to the page.
      if (expiresAt === undefined || chosen === undefined || holder === undefined)
        return reply.redirect(pageHref(env), 303);
      const { request: linkRequest } = link;
      const steps = chosen.map((c) => ({
        ...stepDetails(linkRequest, c.index),
        start: c.start,
        end: c.start + linkRequest.sequence.steps[c.index]!.durationMinutes * 60_000,
      }));
      return kit.send(
        reply,
        200,
        confirmPage(env, {
          csrf: kit.sessions.csrf(token, holder),
          event: eventInfo(linkRequest),
          steps,
          option: String(request.query.option),
          expiresAt,
          holdMinutes: Math.max(1, Math.round(kit.ctx.config.holdSeconds / 60)),
        }),
        env,
      );
    },
  );
}

export function registerChoose(scope: FastifyInstance, kit: PageKit): void {
  const { ctx } = kit;
  scope.post<{ Params: TokenParams }>('/:token/choose', { bodyLimit: FORM_BODY_LIMIT }, (request, reply) =>
    submitChoice(kit, request, reply, (loaded, chosen, holderKey) =>
      loaded.link.request.selectionMode === 'confirm'
        ? holdOption(ctx, loaded, chosen, holderKey)
        : bookOption(ctx, loaded, chosen, holderKey),
    ),
  );

  // A stale confirmation form (another tab, the back button) books what this session holds.
  scope.post<{ Params: TokenParams }>('/:token/confirm', { bodyLimit: FORM_BODY_LIMIT }, (request, reply) =>
    submitChoice(kit, request, reply, (loaded, chosen, holderKey) =>
      confirmHeld(ctx, loaded, chosen, holderKey),
    ),
  );
  registerConfirmPage(scope, kit);
}
