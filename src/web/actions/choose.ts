/**
 * `POST /book/{token}/choose` and `…/confirm`: the invitee picks an option; in `confirm` mode it is
 * held and the confirmation page shown, otherwise (and on Confirm) it is booked (SPEC 6.2, 6.3).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  bookOption,
  type ChoiceOutcome,
  type ChosenSteps,
  holdOption,
  optionKey,
  parseOptionKey,
} from '../../app/booking.ts';
import type { LoadedLink } from '../../app/links.ts';
import { eventInfo, itinerarySteps } from '../page-data.ts';
import { FORM_BODY_LIMIT, type PageKit, type PagePost } from '../page-kit.ts';
import { holderKeyOf } from '../security.ts';
import { basePath, pageUrl, type TokenParams } from '../session.ts';
import { confirmPage } from '../templates.ts';
import { changeLocale } from './change.ts';

/** What a choose or confirm submit leads to. */
function renderOutcome(
  kit: PageKit,
  request: FastifyRequest,
  reply: FastifyReply,
  post: PagePost,
  outcome: ChoiceOutcome,
) {
  const { token, holder, zone } = post;
  const form = kit.sessions.formContext(token, holder, zone);
  switch (outcome.kind) {
    case 'booked':
      kit.views.changed();
      kit.deps.onBooked();
      return reply.redirect(pageUrl(token, zone), 303);
    case 'held': {
      kit.views.held(holderKeyOf(holder), outcome.expiresAt);
      const request = outcome.link.request;
      return kit.send(
        reply,
        200,
        confirmPage({
          assets: kit.assets.urls,
          form,
          event: eventInfo(request),
          hourFormat: request.hourFormat,
          steps: itinerarySteps(outcome.option),
          // A booked step carries everything an option key needs (index and start, running order).
          option: optionKey(outcome.option),
          expiresAt: outcome.expiresAt,
          holdMinutes: Math.max(1, Math.round(kit.ctx.config.holdSeconds / 60)),
        }),
      );
    }
    case 'taken':
      kit.views.changed();
      return kit.renderOpen(reply, 409, outcome.fresh, form, {
        notices: [
          {
            tone: 'warn',
            text: 'Sorry, that time was just taken by someone else. Nothing has been booked. Here are the times available now.',
          },
        ],
      });
    default:
      return kit.renderClosed(reply, outcome, form, {
        holder,
        submitted: true,
        language: changeLocale(request, post.form.lang).language,
      });
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
  if (chosen === undefined) {
    return kit.message(reply, 400, 'That choice could not be read', ['Nothing was booked.'], {
      back: { href: basePath(post.token), label: 'Back to the available times' },
    });
  }
  const outcome = await act(post.loaded, chosen, holderKeyOf(post.holder));
  return renderOutcome(kit, request, reply, post, outcome);
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

  scope.post<{ Params: TokenParams }>('/:token/confirm', { bodyLimit: FORM_BODY_LIMIT }, (request, reply) =>
    submitChoice(kit, request, reply, (loaded, chosen, holderKey) =>
      bookOption(ctx, loaded, chosen, holderKey),
    ),
  );
}
