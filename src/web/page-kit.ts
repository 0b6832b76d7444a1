/**
 * What every page action shares: the application context, the shared views, sessions, and the
 * ways a page answers (a message, 404, the open page, a closed link's page), plus the prologue of
 * every POST.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bookedBy, type ClosedState, type OpenState, optionKey } from '../app/booking.ts';
import type { AppContext } from '../app/context.ts';
import { inviteeMay } from '../app/link-model.ts';
import { completionRedirect } from '../app/link-wire.ts';
import { type LoadedLink, loadLinkForPage } from '../app/links.ts';
import type { RateLimiter } from '../app/rate-limit.ts';
import type { Assets } from './assets.ts';
import { changeLinks, changeMessagePage } from './change-pages.ts';
import { viewerZone } from './format.ts';
import type { SafeHtml } from './html.ts';
import { changeTranslator } from './i18n/changes.ts';
import type { Language } from './i18n/index.ts';
import { eventInfo, itinerarySteps, stepsInOrder } from './page-data.ts';
import { holderKeyOf } from './security.ts';
import { basePath, type Form, type PageSessions, type TokenParams } from './session.ts';
import type { SharedViews } from './shared-views.ts';
import { completedPage, type FormContext, messagePage, type Notice, openPage } from './templates.ts';

export type WebDeps = {
  readonly ctx: AppContext;
  readonly pageLimiter: RateLimiter;
  /** Called after a booking commits (wakes the outbox worker). */
  readonly onBooked: () => void;
};

/** Form posts are a few hundred bytes; anything much larger is not from this page. */
export const FORM_BODY_LIMIT = 16 * 1024;
const HTML = 'text/html; charset=utf-8';

export type MessageExtra = { message?: string; back?: { href: string; label: string } };

/** A POST that passed the session and CSRF check, with its link loaded once. */
export type PagePost = {
  readonly form: Form;
  readonly holder: string;
  readonly token: string;
  readonly loaded: LoadedLink;
  readonly zone: string;
};

export class PageKit {
  readonly ctx: AppContext;
  readonly deps: WebDeps;
  readonly assets: Assets;
  readonly sessions: PageSessions;
  readonly views: SharedViews;

  constructor(deps: WebDeps, assets: Assets, sessions: PageSessions, views: SharedViews) {
    this.ctx = deps.ctx;
    this.deps = deps;
    this.assets = assets;
    this.sessions = sessions;
    this.views = views;
  }

  send(reply: FastifyReply, status: number, page: SafeHtml) {
    return reply.code(status).type(HTML).send(page.text);
  }

  message(
    reply: FastifyReply,
    status: number,
    title: string,
    paragraphs: readonly string[],
    extra: MessageExtra = {},
  ) {
    return this.send(reply, status, messagePage({ assets: this.assets.urls, title, paragraphs, ...extra }));
  }

  notFound(reply: FastifyReply) {
    return this.message(reply, 404, 'Booking link not found', [
      'This booking link does not exist. Check that you copied the whole link, or ask the organiser for a new one.',
    ]);
  }

  renderOpen(
    reply: FastifyReply,
    status: number,
    state: OpenState,
    form: FormContext,
    extra: { notices?: readonly Notice[]; detectZone?: boolean } = {},
  ) {
    const request = state.request;
    return this.send(
      reply,
      status,
      openPage({
        assets: this.assets.urls,
        form,
        event: eventInfo(request),
        steps: stepsInOrder(request),
        linkZone: request.sequence.tzid,
        hourFormat: request.hourFormat,
        selectionMode: request.selectionMode,
        options: state.options,
        optionKey,
        failures: state.failures,
        notices: extra.notices ?? [],
        detectZone: extra.detectZone ?? false,
        now: this.ctx.clock.now(),
      }),
    );
  }

  async renderClosed(
    reply: FastifyReply,
    state: ClosedState,
    form: FormContext,
    visitor: { holder: string | undefined; submitted: boolean; language: Language },
  ) {
    const request = state.link.request;
    const t = changeTranslator(visitor.language);
    switch (state.kind) {
      case 'completed': {
        const holderKey = visitor.holder === undefined ? undefined : holderKeyOf(visitor.holder);
        const bookedHere = await bookedBy(this.ctx, state.link, holderKey);
        const takenNotice = !bookedHere && visitor.submitted;
        return this.send(
          reply,
          takenNotice ? 409 : 200,
          completedPage({
            assets: this.assets.urls,
            form,
            event: eventInfo(request),
            hourFormat: request.hourFormat,
            steps: itinerarySteps(state.booked),
            redirectUrl: completionRedirect(state.link),
            bookedHere,
            takenNotice,
            extra: changeLinks(t, form.base, {
              reschedule: inviteeMay(state.link, 'reschedule', this.ctx.clock.now()).allowed,
              cancel: inviteeMay(state.link, 'cancel', this.ctx.clock.now()).allowed,
            }),
          }),
        );
      }
      case 'disabled':
        return this.message(
          reply,
          410,
          'This booking link is no longer available',
          ['The organiser has closed this link.'],
          { message: state.message },
        );
      case 'expired':
        return this.message(reply, 410, 'This booking link has expired', [
          'The times it offered have passed. Please ask the organiser for a new link.',
        ]);
      case 'cancelled':
        return this.send(
          reply,
          410,
          changeMessagePage({
            assets: this.assets.urls,
            lang: visitor.language,
            title: t('link_cancelled_title'),
            paragraphs: [t('link_cancelled_text')],
          }),
        );
    }
  }

  /**
   * Every POST: the session and CSRF check (403 otherwise), then the link, which must exist (404
   * otherwise), read once with its application; and the viewer's zone. Undefined when answered.
   */
  async openPost(
    request: FastifyRequest<{ Params: TokenParams }>,
    reply: FastifyReply,
  ): Promise<PagePost | undefined> {
    const checked = this.sessions.verifyPost(request);
    const { token } = request.params;
    if (checked === undefined) {
      this.message(
        reply,
        403,
        'This form has expired',
        [
          'For your security, the form could not be accepted and nothing was changed. Please reload the booking page and try again. If this keeps happening, make sure cookies are allowed for this site.',
        ],
        { back: { href: basePath(token), label: 'Back to the available times' } },
      );
      return undefined;
    }
    const loaded = await loadLinkForPage(this.ctx, token);
    if (loaded === undefined) {
      this.notFound(reply);
      return undefined;
    }
    const zone = viewerZone(checked.form.tz, loaded.link.request.sequence.tzid);
    return { ...checked, token, loaded, zone };
  }
}
