/**
 * What every page action shares: the application context, the shared views, sessions, and the
 * ways a page answers (a message, 404, the open page, a closed link's page), plus the prologue of
 * every POST. Every answer speaks the visitor's language (see page-query.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bookedBy, type ClosedState, type OpenState } from '../app/booking/booking.ts';
import type { AppContext } from '../app/context.ts';
import { onLinkChange } from '../app/links/link-events.ts';
import { inviteeMay, type Link } from '../app/links/link-model.ts';
import { completionRedirect } from '../app/links/link-wire.ts';
import { type LoadedLink, loadLinkForPage } from '../app/links/links.ts';
import type { RateLimiter } from '../app/rate-limit.ts';
import type { ApplicationRecord } from '../ports/store.ts';
import { accentCssUrl } from './accent.ts';
import type { Assets } from './assets.ts';
import { changeLinks } from './change-pages.ts';
import type { SafeHtml } from './html.ts';
import type { MessageKey } from './i18n/index.ts';
import { eventInfo, itinerarySteps, optionViews, stepsInOrder } from './page-data.ts';
import { readPageQuery, speechFor } from './page-query.ts';
import { RenderedPages } from './rendered-pages.ts';
import { contentSecurityPolicy, holderKeyOf, logoSources } from './security.ts';
import { basePath, type Form, type PageSessions, type TokenParams } from './session.ts';
import type { SharedViews } from './shared-views.ts';
import {
  type MessageView,
  messagePage,
  type Notice,
  type PageEnv,
  type PageQuery,
  pageHref,
} from './views/common.ts';
import { openPage } from './views/open.ts';
import { completedPage } from './views/pages.ts';

export type WebDeps = {
  readonly ctx: AppContext;
  readonly pageLimiter: RateLimiter;
  /** Called after a link change queued outbox rows (wakes the outbox worker). */
  readonly onBooked: () => void;
};

/** Form posts are a few hundred bytes (a note at most 1000 characters); anything larger is not from this page. */
export const FORM_BODY_LIMIT = 16 * 1024;
const HTML = 'text/html; charset=utf-8';

/** A POST that passed the session and CSRF check, with its link loaded once. */
export type PagePost = {
  readonly form: Form;
  readonly holder: string;
  readonly token: string;
  readonly loaded: LoadedLink;
  readonly env: PageEnv;
};

/** Where a page is, for the environment it is rendered in. */
export type PagePlace = {
  readonly token?: string;
  readonly link?: Link;
  readonly application?: ApplicationRecord;
  /** The query string or posted form carrying the visitor's settings. */
  readonly raw?: Readonly<Record<string, unknown>>;
};

export class PageKit {
  readonly ctx: AppContext;
  readonly deps: WebDeps;
  readonly assets: Assets;
  readonly sessions: PageSessions;
  readonly views: SharedViews;
  readonly rendered = new RenderedPages();

  constructor(deps: WebDeps, assets: Assets, sessions: PageSessions, views: SharedViews) {
    this.ctx = deps.ctx;
    this.deps = deps;
    this.assets = assets;
    this.sessions = sessions;
    this.views = views;
    // Any link change that queued a callback or CalDAV write, through the page or the API.
    onLinkChange(this.ctx, (change) => {
      if (change.queued) deps.onBooked();
    });
  }

  /** The visitor's settings, language and the link's context for one page. */
  env(request: FastifyRequest, place: PagePlace = {}): PageEnv {
    const linkRequest = place.link?.request;
    const query: PageQuery = readPageQuery(place.raw ?? {}, linkRequest);
    const accept = request.headers['accept-language'];
    const speech = speechFor(query, linkRequest, typeof accept === 'string' ? accept : undefined);
    const application = place.application;
    return {
      assets: this.assets.urls,
      base: place.token === undefined ? null : basePath(place.token),
      ...speech,
      query,
      branding: {
        displayName: application?.displayName ?? null,
        logoUrl: application?.logoUrl ?? null,
        accentCss: accentCssUrl(application?.accentColour ?? null),
      },
      organizer: linkRequest?.organizer ?? null,
      now: this.ctx.clock.now(),
    };
  }

  send(reply: FastifyReply, status: number, page: SafeHtml, env?: PageEnv) {
    const images = logoSources(env?.branding.logoUrl ?? null);
    if (images.length > 0) reply.header('content-security-policy', contentSecurityPolicy(images));
    return reply.code(status).type(HTML).send(page.text);
  }

  message(reply: FastifyReply, status: number, env: PageEnv, view: MessageView) {
    return this.send(reply, status, messagePage(env, view), env);
  }

  /** A message page from catalogue keys (`<name>_title`, `<name>_text`). */
  say(
    reply: FastifyReply,
    status: number,
    env: PageEnv,
    name: string,
    extra: Omit<MessageView, 'title' | 'paragraphs'> = {},
  ) {
    const { t } = env;
    return this.message(reply, status, env, {
      title: t(`${name}_title` as MessageKey),
      paragraphs: [t(`${name}_text` as MessageKey)],
      ...extra,
    });
  }

  notFound(request: FastifyRequest, reply: FastifyReply) {
    return this.say(reply, 404, this.env(request), 'not_found');
  }

  /** The way back to the times, keeping the visitor's settings. */
  back(env: PageEnv, key: 'back_to_times' | 'back_to_page' = 'back_to_times') {
    return { href: pageHref(env), label: env.t(key) };
  }

  renderOpen(
    reply: FastifyReply,
    status: number,
    env: PageEnv,
    state: OpenState,
    csrf: string,
    extra: { notices?: readonly Notice[]; detectZone?: boolean } = {},
  ) {
    const request = state.request;
    const notices = extra.notices ?? [];
    const detectZone = extra.detectZone ?? false;
    // Everything the page depends on besides the state and the token (minute: the zone labels' clocks).
    const variant = JSON.stringify([
      env.locale,
      env.formats.hourFormat,
      env.query,
      detectZone,
      notices,
      Math.floor(env.now / 60_000),
    ]);
    const page = this.rendered.page(state, variant, csrf, (token) =>
      openPage(env, {
        csrf: token,
        event: eventInfo(request),
        steps: stepsInOrder(request),
        linkZone: request.sequence.tzid,
        selectionMode: request.selectionMode,
        options: optionViews(request, state.options, state.moving),
        failures: state.failures,
        notices,
        detectZone,
      }),
    );
    return this.send(reply, status, page, env);
  }

  async renderClosed(
    reply: FastifyReply,
    env: PageEnv,
    state: ClosedState,
    visitor: { holder: string | undefined; submitted: boolean },
  ) {
    const request = state.link.request;
    switch (state.kind) {
      case 'completed': {
        const holderKey = visitor.holder === undefined ? undefined : holderKeyOf(visitor.holder);
        const bookedHere = await bookedBy(this.ctx, state.link, holderKey);
        const takenNotice = !bookedHere && visitor.submitted;
        return this.send(
          reply,
          takenNotice ? 409 : 200,
          completedPage(env, {
            event: eventInfo(request),
            steps: itinerarySteps(request, state.booked),
            redirectUrl: completionRedirect(state.link),
            bookedHere,
            takenNotice,
            extra: changeLinks(env, {
              reschedule: inviteeMay(state.link, 'reschedule', env.now).allowed,
              cancel: inviteeMay(state.link, 'cancel', env.now).allowed,
            }),
          }),
          env,
        );
      }
      case 'disabled':
        return this.say(reply, 410, env, 'disabled', { message: state.message, contact: true });
      case 'expired':
        return this.say(reply, 410, env, 'expired', { contact: true });
      case 'cancelled':
        return this.say(reply, 410, env, 'cancelled', { contact: true });
    }
  }

  /**
   * Every POST: the session and CSRF check (403 otherwise), then the link, which must exist (404
   * otherwise), read once with its application; and the visitor's settings. Undefined when answered.
   */
  async openPost(
    request: FastifyRequest<{ Params: TokenParams }>,
    reply: FastifyReply,
  ): Promise<PagePost | undefined> {
    const checked = this.sessions.verifyPost(request);
    const { token } = request.params;
    if (checked === undefined) {
      const env = this.env(request, { token, raw: formOf(request) });
      this.say(reply, 403, env, 'form_expired', { back: this.back(env) });
      return undefined;
    }
    const loaded = await loadLinkForPage(this.ctx, token);
    if (loaded === undefined) {
      this.notFound(request, reply);
      return undefined;
    }
    const env = this.env(request, {
      token,
      link: loaded.link,
      application: loaded.application,
      raw: checked.form,
    });
    return { ...checked, token, loaded, env };
  }
}

function formOf(request: FastifyRequest): Form {
  return (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Form;
}
