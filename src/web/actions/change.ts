/**
 * The invitee's reschedule and cancel pages under the link's token (SPEC 6.6):
 * `GET /book/{token}/reschedule` and `…/cancel` show what would change; the POSTs (session and
 * CSRF checked) do it. Cancel always has this confirmation step. The link must allow the action,
 * and the cutoff before the first booked step is enforced on every request.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cancelLink, requestReschedule } from '../../app/link-changes.ts';
import { type InviteeAction, inviteeMay, type Link } from '../../app/link-model.ts';
import { type LoadedLink, loadLinkForPage } from '../../app/links.ts';
import { DomainError } from '../../domain/errors.ts';
import {
  type ChangeView,
  cancelPage,
  changeMessagePage,
  cutoffText,
  reschedulePage,
} from '../change-pages.ts';
import { viewerZone } from '../format.ts';
import { changeTranslator } from '../i18n/changes.ts';
import { type Locale, negotiateLocale } from '../i18n/index.ts';
import { LocalClock, WallFormats } from '../intl.ts';
import { eventInfo, itinerarySteps } from '../page-data.ts';
import { FORM_BODY_LIMIT, type PageKit } from '../page-kit.ts';
import { pageUrl, type TokenParams } from '../session.ts';

type Query = { tz?: unknown; lang?: unknown };
const REASON_MAX = 500;

/** The visitor's language for these pages: a picked `lang`, else Accept-Language, else English. */
export function changeLocale(request: FastifyRequest, picked: unknown): Locale {
  return negotiateLocale({ picked, linkLocale: null, acceptLanguage: request.headers['accept-language'] });
}

function viewOf(kit: PageKit, link: Link, form: ChangeView['form'], locale: Locale): ChangeView {
  const steps = itinerarySteps(link.booked ?? { steps: [] });
  const formats = new WallFormats(locale.tag, link.request.hourFormat);
  return {
    assets: kit.assets.urls,
    form,
    lang: locale.tag,
    t: changeTranslator(locale.language),
    event: eventInfo(link.request),
    steps,
    clock: new LocalClock(
      form.zone,
      steps.flatMap((s) => [s.start, s.end]),
      formats,
    ),
  };
}

/**
 * Answers a request the invitee may not make now, or undefined when the action is allowed. A link
 * already rescheduling sends "reschedule" to its page; a link without a booking shows its own state.
 */
function refusal(
  kit: PageKit,
  reply: FastifyReply,
  view: ChangeView,
  link: Link,
  action: InviteeAction,
  token: string,
): FastifyReply | undefined {
  const verdict = inviteeMay(link, action, kit.ctx.clock.now());
  if (verdict.allowed) return undefined;
  const { t } = view;
  const back = {
    href: `${view.form.base}?tz=${encodeURIComponent(view.form.zone)}`,
    label: t('back_to_booking'),
  };
  const page = (status: number, title: string, paragraphs: string[]) =>
    kit.send(
      reply,
      status,
      changeMessagePage({ assets: view.assets, lang: view.lang, title, paragraphs, back }),
    );
  switch (verdict.reason) {
    case 'not_allowed':
      return page(403, t('not_allowed_title'), [t('not_allowed_text')]);
    case 'cutoff': {
      const first = view.steps.reduce((min, s) => Math.min(min, s.start), Number.POSITIVE_INFINITY);
      const text = t('cutoff_text', {
        cutoff: cutoffText(view.lang, link.request.inviteeActionCutoffMinutes),
        start: `${view.clock.day(first)}, ${view.clock.time(first)}`,
      });
      return page(403, t('cutoff_title'), [text]);
    }
    case 'not_booked':
      if (link.status === 'cancelled')
        return page(410, t('link_cancelled_title'), [t('link_cancelled_text')]);
      return reply.redirect(pageUrl(token, view.form.zone), 303);
  }
}

async function loadFor(
  kit: PageKit,
  request: FastifyRequest<{ Params: TokenParams; Querystring: Query }>,
  reply: FastifyReply,
): Promise<{ loaded: LoadedLink; view: ChangeView } | undefined> {
  const { token } = request.params;
  const { holder } = kit.sessions.open(request, reply);
  const loaded = await loadLinkForPage(kit.ctx, token);
  if (loaded === undefined) {
    kit.notFound(reply);
    return undefined;
  }
  const zone = viewerZone(request.query.tz, loaded.link.request.sequence.tzid);
  const form = kit.sessions.formContext(token, holder, zone);
  return { loaded, view: viewOf(kit, loaded.link, form, changeLocale(request, request.query.lang)) };
}

export function registerChange(scope: FastifyInstance, kit: PageKit): void {
  const { ctx } = kit;

  scope.get<{ Params: TokenParams; Querystring: Query }>('/:token/reschedule', async (request, reply) => {
    const found = await loadFor(kit, request, reply);
    if (found === undefined) return reply;
    const { loaded, view } = found;
    return (
      refusal(kit, reply, view, loaded.link, 'reschedule', request.params.token) ??
      kit.send(reply, 200, reschedulePage(view))
    );
  });

  scope.get<{ Params: TokenParams; Querystring: Query }>('/:token/cancel', async (request, reply) => {
    const found = await loadFor(kit, request, reply);
    if (found === undefined) return reply;
    const { loaded, view } = found;
    return (
      refusal(kit, reply, view, loaded.link, 'cancel', request.params.token) ??
      kit.send(reply, 200, cancelPage({ ...view, reason: '', error: null }))
    );
  });

  scope.post<{ Params: TokenParams }>(
    '/:token/reschedule',
    { bodyLimit: FORM_BODY_LIMIT },
    async (request, reply) => {
      const post = await kit.openPost(request, reply);
      if (post === undefined) return reply;
      const { loaded, token, zone, holder } = post;
      const locale = changeLocale(request, post.form.lang);
      const view = viewOf(kit, loaded.link, kit.sessions.formContext(token, holder, zone), locale);
      const refused = refusal(kit, reply, view, loaded.link, 'reschedule', token);
      if (refused !== undefined) return refused;
      try {
        await requestReschedule(ctx, loaded, null);
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'invalid_request') throw error;
        return kit.send(
          reply,
          409,
          changeMessagePage({
            assets: view.assets,
            lang: view.lang,
            title: view.t('no_times_title'),
            paragraphs: [view.t('no_times_text')],
            back: { href: pageUrl(token, zone), label: view.t('back_to_booking') },
          }),
        );
      }
      kit.views.changed();
      return reply.redirect(`${pageUrl(token, zone)}&lang=${encodeURIComponent(locale.language)}`, 303);
    },
  );

  scope.post<{ Params: TokenParams }>(
    '/:token/cancel',
    { bodyLimit: FORM_BODY_LIMIT },
    async (request, reply) => {
      const post = await kit.openPost(request, reply);
      if (post === undefined) return reply;
      const { loaded, token, zone, holder } = post;
      const view = viewOf(
        kit,
        loaded.link,
        kit.sessions.formContext(token, holder, zone),
        changeLocale(request, post.form.lang),
      );
      const refused = refusal(kit, reply, view, loaded.link, 'cancel', token);
      if (refused !== undefined) return refused;
      const raw = typeof post.form.reason === 'string' ? post.form.reason.trim() : '';
      if (raw.length > REASON_MAX) {
        return kit.send(reply, 400, cancelPage({ ...view, reason: raw, error: view.t('reason_too_long') }));
      }
      await cancelLink(ctx, loaded.link, raw === '' ? null : raw);
      kit.views.changed();
      kit.deps.onBooked();
      return kit.send(
        reply,
        200,
        changeMessagePage({
          assets: view.assets,
          lang: view.lang,
          title: view.t('cancelled_title'),
          paragraphs: [view.t('cancelled_text')],
        }),
      );
    },
  );
}
