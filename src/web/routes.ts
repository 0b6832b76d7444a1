/**
 * The hosted booking pages under /book/… (SPEC 6.2): server-rendered HTML that works without
 * script. Every POST needs the page session's cookie and its CSRF token; a GET never books.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  bookOption,
  type ChoiceOutcome,
  type ChosenSteps,
  type ClosedState,
  completionRedirect,
  holdOption,
  type OpenState,
  optionKey,
  type PageState,
  parseOptionKey,
  releaseHold,
  reportNoTimesSuitable,
  viewLink,
} from '../app/booking.ts';
import type { AppContext } from '../app/context.ts';
import {
  type BookedOption,
  bookedOf,
  type LinkRequest,
  linkByToken,
  linkRequestOf,
  statusOf,
  stepSummary,
} from '../app/links.ts';
import type { RateLimiter } from '../app/rate-limit.ts';
import { DomainError } from '../domain/errors.ts';
import { serializeEvents } from '../domain/icalendar/serialize.ts';
import type { LinkRecord } from '../ports/store.ts';
import { loadAssets } from './assets.ts';
import { viewerZone } from './format.ts';
import type { SafeHtml } from './html.ts';
import { CsrfSigner, holderCookie, holderFrom, holderKeyOf, newHolder, pageHeaders } from './security.ts';
import {
  completedPage,
  confirmPage,
  type EventInfo,
  type FormContext,
  type ItineraryStep,
  messagePage,
  type Notice,
  openPage,
  type StepSummary,
} from './templates.ts';

export type WebDeps = {
  readonly ctx: AppContext;
  readonly pageLimiter: RateLimiter;
  /** Called after a booking commits (wakes the outbox worker). */
  readonly onBooked: () => void;
};

type TokenParams = { token: string };
type Form = Record<string, unknown>;

/** Form posts are a few hundred bytes; anything much larger is not from this page. */
const FORM_BODY_LIMIT = 16 * 1024;
const HTML = 'text/html; charset=utf-8';

export function registerWebRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { ctx } = deps;
  const assets = loadAssets();
  const csrf = new CsrfSigner(ctx.config.secretKey);
  const secure = ctx.config.publicUrl.startsWith('https:');
  const headers = pageHeaders(secure);
  const views = new SharedViews(ctx);

  const send = (reply: FastifyReply, status: number, page: SafeHtml) =>
    reply.code(status).type(HTML).send(page.text);

  const message = (
    reply: FastifyReply,
    status: number,
    title: string,
    paragraphs: readonly string[],
    extra: { message?: string; back?: { href: string; label: string } } = {},
  ) => send(reply, status, messagePage({ assets: assets.urls, title, paragraphs, ...extra }));

  const notFound = (reply: FastifyReply) =>
    message(reply, 404, 'Booking link not found', [
      'This booking link does not exist. Check that you copied the whole link, or ask the organiser for a new one.',
    ]);

  const basePath = (token: string) => `/book/${encodeURIComponent(token)}`;
  const pageUrl = (token: string, zone: string) => `${basePath(token)}?tz=${encodeURIComponent(zone)}`;

  /** The page session: the cookie's holder value, or a new one (set on the reply). */
  function session(request: FastifyRequest<{ Params: TokenParams }>, reply: FastifyReply) {
    const existing = holderFrom(request.headers.cookie);
    if (existing !== undefined) return { holder: existing, isNew: false };
    const holder = newHolder();
    reply.header('set-cookie', holderCookie(holder, encodeURIComponent(request.params.token), secure));
    return { holder, isNew: true };
  }

  function formContext(token: string, holder: string, zone: string): FormContext {
    return { base: basePath(token), csrf: csrf.sign(token, holder), zone };
  }

  function renderOpen(
    reply: FastifyReply,
    status: number,
    state: OpenState,
    form: FormContext,
    extra: { notices?: readonly Notice[]; detectZone?: boolean } = {},
  ) {
    const request = state.request;
    return send(
      reply,
      status,
      openPage({
        assets: assets.urls,
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
        now: ctx.clock.now(),
      }),
    );
  }

  /** Whether this page session made the link's booking (its holds and bookings carry its key). */
  async function bookedBy(link: LinkRecord, holder: string | undefined): Promise<boolean> {
    if (holder === undefined) return false;
    const key = holderKeyOf(holder);
    const bookings = await ctx.store.read((repos) => repos.reservations.byLink(link.id));
    return bookings.some((b) => b.holderKey === key);
  }

  async function renderClosed(
    reply: FastifyReply,
    state: ClosedState,
    form: FormContext,
    visitor: { holder: string | undefined; submitted: boolean },
  ) {
    const request = linkRequestOf(state.link);
    switch (state.kind) {
      case 'completed': {
        const bookedHere = await bookedBy(state.link, visitor.holder);
        const takenNotice = !bookedHere && visitor.submitted;
        return send(
          reply,
          takenNotice ? 409 : 200,
          completedPage({
            assets: assets.urls,
            form,
            event: eventInfo(request),
            hourFormat: request.hourFormat,
            steps: itinerarySteps(state.booked),
            redirectUrl: completionRedirect(state.link),
            bookedHere,
            takenNotice,
          }),
        );
      }
      case 'disabled':
        return message(
          reply,
          410,
          'This booking link is no longer available',
          ['The organiser has closed this link.'],
          { message: state.message },
        );
      case 'expired':
        return message(reply, 410, 'This booking link has expired', [
          'The times it offered have passed. Please ask the organiser for a new link.',
        ]);
    }
  }

  /** What a choose or confirm submit leads to. */
  function renderOutcome(
    reply: FastifyReply,
    token: string,
    holder: string,
    zone: string,
    outcome: ChoiceOutcome | undefined,
  ) {
    if (outcome === undefined) return notFound(reply);
    const form = formContext(token, holder, zone);
    switch (outcome.kind) {
      case 'booked':
        views.changed();
        deps.onBooked();
        return reply.redirect(pageUrl(token, zone), 303);
      case 'held': {
        views.held(holderKeyOf(holder), outcome.expiresAt);
        const request = linkRequestOf(outcome.link);
        return send(
          reply,
          200,
          confirmPage({
            assets: assets.urls,
            form,
            event: eventInfo(request),
            hourFormat: request.hourFormat,
            steps: itinerarySteps(outcome.option),
            option: keyOfBooked(outcome.option),
            expiresAt: outcome.expiresAt,
            holdMinutes: Math.max(1, Math.round(ctx.config.holdSeconds / 60)),
          }),
        );
      }
      case 'taken':
        views.changed();
        return renderOpen(reply, 409, outcome.fresh, form, {
          notices: [
            {
              tone: 'warn',
              text: 'Sorry, that time was just taken by someone else. Nothing has been booked. Here are the times available now.',
            },
          ],
        });
      default:
        return renderClosed(reply, outcome, form, { holder, submitted: true });
    }
  }

  /** Checks the session and CSRF token of a POST; answers 403 itself when they do not match. */
  function checkPost(request: FastifyRequest<{ Params: TokenParams }>, reply: FastifyReply) {
    const form = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Form;
    const holder = holderFrom(request.headers.cookie);
    if (holder === undefined || !csrf.verify(request.params.token, holder, form.csrf)) {
      message(
        reply,
        403,
        'This form has expired',
        [
          'For your security, the form could not be accepted and nothing was changed. Please reload the booking page and try again. If this keeps happening, make sure cookies are allowed for this site.',
        ],
        { back: { href: basePath(request.params.token), label: 'Back to the available times' } },
      );
      return undefined;
    }
    return { form, holder };
  }

  async function openLinkOf(reply: FastifyReply, token: string): Promise<LinkRecord | undefined> {
    const link = await linkByToken(ctx, token);
    if (link === undefined) notFound(reply);
    return link;
  }

  function badChoice(reply: FastifyReply, token: string) {
    return message(reply, 400, 'That choice could not be read', ['Nothing was booked.'], {
      back: { href: basePath(token), label: 'Back to the available times' },
    });
  }

  app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        reply.headers(headers);
        reply.header('cache-control', 'no-store');
        if (request.url.startsWith('/book/assets/')) return;
        const wait = deps.pageLimiter.hit(request.ip, ctx.clock.now());
        if (wait > 0) {
          reply.header('retry-after', String(wait));
          return message(reply, 429, 'Too many requests', [
            `Please wait ${wait} ${wait === 1 ? 'second' : 'seconds'} and try again.`,
          ]);
        }
      });

      scope.setNotFoundHandler((_request, reply) =>
        message(reply, 404, 'Page not found', ['There is no page at this address.']),
      );

      scope.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
        if (error instanceof DomainError && error.code === 'not_found') return notFound(reply);
        const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
        if (status === 413) return message(reply, 413, 'Too much data', ['The form sent too much data.']);
        if (status >= 400 && status < 500 && !(error instanceof DomainError)) {
          return message(reply, 400, 'The form could not be read', [
            'Nothing was changed. Please try again.',
          ]);
        }
        request.log.error({ err: error }, 'booking page error');
        return message(reply, 500, 'Something went wrong', [
          'The page could not be shown just now. Nothing was booked. Please try again in a moment.',
        ]);
      });

      scope.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
        const asset = assets.byName.get(request.params.file);
        if (asset === undefined) return message(reply, 404, 'Not found', ['No such file.']);
        return reply
          .header('cache-control', 'public, max-age=31536000, immutable')
          .type(asset.contentType)
          .send(asset.body);
      });

      scope.get<{ Params: TokenParams; Querystring: { tz?: unknown } }>('/:token', async (request, reply) => {
        const { token } = request.params;
        const { holder, isNew } = session(request, reply);
        const state = await views.view(token, isNew ? undefined : holderKeyOf(holder));
        if (state === undefined) return notFound(reply);
        const zone = viewerZone(request.query.tz, linkRequestOf(state.link).sequence.tzid);
        const form = formContext(token, holder, zone);
        if (state.kind !== 'open')
          return renderClosed(reply, state, form, { holder: isNew ? undefined : holder, submitted: false });
        return renderOpen(reply, 200, state, form, { detectZone: typeof request.query.tz !== 'string' });
      });

      /** Every POST: session and CSRF check, then the link, which must exist; and the viewer's zone. */
      async function openPost(request: FastifyRequest<{ Params: TokenParams }>, reply: FastifyReply) {
        const checked = checkPost(request, reply);
        if (checked === undefined) return undefined;
        const { token } = request.params;
        const link = await openLinkOf(reply, token);
        if (link === undefined) return undefined;
        const linkRequest = linkRequestOf(link);
        return {
          ...checked,
          token,
          link,
          linkRequest,
          zone: viewerZone(checked.form.tz, linkRequest.sequence.tzid),
        };
      }

      /** Choose and Confirm differ only in the action taken on a well-formed option. */
      async function submitChoice(
        request: FastifyRequest<{ Params: TokenParams }>,
        reply: FastifyReply,
        act: (
          token: string,
          chosen: ChosenSteps,
          holderKey: string,
          linkRequest: LinkRequest,
        ) => Promise<ChoiceOutcome | undefined>,
      ) {
        const post = await openPost(request, reply);
        if (post === undefined) return reply;
        const chosen = parseOptionKey(post.form.option);
        if (chosen === undefined) return badChoice(reply, post.token);
        const outcome = await act(post.token, chosen, holderKeyOf(post.holder), post.linkRequest);
        return renderOutcome(reply, post.token, post.holder, post.zone, outcome);
      }

      scope.post<{ Params: TokenParams }>(
        '/:token/choose',
        { bodyLimit: FORM_BODY_LIMIT },
        (request, reply) =>
          submitChoice(request, reply, (token, chosen, holderKey, linkRequest) =>
            linkRequest.selectionMode === 'confirm'
              ? holdOption(ctx, token, chosen, holderKey)
              : bookOption(ctx, token, chosen, holderKey),
          ),
      );

      scope.post<{ Params: TokenParams }>(
        '/:token/confirm',
        { bodyLimit: FORM_BODY_LIMIT },
        (request, reply) =>
          submitChoice(request, reply, (token, chosen, holderKey) =>
            bookOption(ctx, token, chosen, holderKey),
          ),
      );

      scope.post<{ Params: TokenParams }>(
        '/:token/back',
        { bodyLimit: FORM_BODY_LIMIT },
        async (request, reply) => {
          const post = await openPost(request, reply);
          if (post === undefined) return reply;
          await releaseHold(ctx, post.token, holderKeyOf(post.holder));
          views.released(holderKeyOf(post.holder));
          return reply.redirect(pageUrl(post.token, post.zone), 303);
        },
      );

      scope.post<{ Params: TokenParams }>(
        '/:token/none',
        { bodyLimit: FORM_BODY_LIMIT },
        async (request, reply) => {
          const post = await openPost(request, reply);
          if (post === undefined) return reply;
          const { token, zone } = post;
          // A closed link shows its own state instead (completed, disabled, expired).
          if (statusOf(post.link, ctx.clock.now()) !== 'open')
            return reply.redirect(pageUrl(token, zone), 303);
          const result = await reportNoTimesSuitable(ctx, token);
          if (result === undefined) return notFound(reply);
          const back = { href: pageUrl(token, zone), label: 'Back to the available times' };
          return result.notified
            ? message(
                reply,
                200,
                'Thanks, the organiser has been told',
                [
                  'We have let the organiser know that none of these times work for you. They will be in touch.',
                ],
                { back },
              )
            : message(
                reply,
                200,
                'Thanks for letting us know',
                ['Please contact the organiser directly to find another time.'],
                { back },
              );
        },
      );

      // A GET to an action URL never acts: it goes back to the page.
      for (const action of ['choose', 'confirm', 'back', 'none']) {
        scope.get<{ Params: TokenParams }>(`/:token/${action}`, async (request, reply) =>
          reply.redirect(basePath(request.params.token), 303),
        );
      }

      scope.get<{ Params: TokenParams }>('/:token/itinerary.ics', async (request, reply) => {
        const { token } = request.params;
        const link = await openLinkOf(reply, token);
        if (link === undefined) return reply;
        const booked = bookedOf(link);
        if (link.status !== 'completed' || booked === null) {
          return message(reply, 404, 'No itinerary yet', ['This link has not been booked.'], {
            back: { href: basePath(token), label: 'Back to the booking page' },
          });
        }
        return reply
          .type('text/calendar; charset=utf-8')
          .header('content-disposition', 'attachment; filename="itinerary.ics"')
          .send(itineraryIcs(link, booked));
      });
    },
    { prefix: '/book' },
  );
}

/** How long a computed page state may serve other visitors (see docs/booking-page.md). */
const VIEW_REUSE_MS = 1000;

/**
 * Page states shared between visitors of one link for up to VIEW_REUSE_MS, and between requests
 * that arrive while one computation is running. Only sessions without a hold share: a session
 * holding an option computes its own view (its hold must not hide its own time). Every hold,
 * booking and release made through this process drops all shared states at once, so this
 * process's pages never show a time it just took. Changes made elsewhere (another process, the
 * events API) show up within VIEW_REUSE_MS; booking always re-checks against fresh data.
 */
class SharedViews {
  readonly #ctx: AppContext;
  readonly #byToken = new Map<string, { at: number; state: Promise<PageState | undefined> }>();
  readonly #holds = new Map<string, number>();

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  view(token: string, holderKey: string | undefined): Promise<PageState | undefined> {
    const now = this.#ctx.clock.now();
    if (holderKey !== undefined && (this.#holds.get(holderKey) ?? 0) > now) {
      return viewLink(this.#ctx, token, holderKey);
    }
    const entry = this.#byToken.get(token);
    if (entry !== undefined && now - entry.at < VIEW_REUSE_MS && now >= entry.at) return entry.state;
    if (this.#byToken.size >= 10_000) this.#sweep(now);
    const state = viewLink(this.#ctx, token);
    const fresh = { at: now, state };
    this.#byToken.set(token, fresh);
    state.catch(() => {
      if (this.#byToken.get(token) === fresh) this.#byToken.delete(token);
    });
    return state;
  }

  held(holderKey: string, expiresAt: number): void {
    if (this.#holds.size >= 10_000) {
      const now = this.#ctx.clock.now();
      for (const [key, until] of this.#holds) if (until <= now) this.#holds.delete(key);
    }
    this.#holds.set(holderKey, expiresAt);
    this.changed();
  }

  released(holderKey: string): void {
    this.#holds.delete(holderKey);
    this.changed();
  }

  /** Something this process did changed availability: nothing shared may be served again. */
  changed(): void {
    this.#byToken.clear();
  }

  #sweep(now: number): void {
    for (const [token, entry] of this.#byToken)
      if (now - entry.at >= VIEW_REUSE_MS) this.#byToken.delete(token);
  }
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

/** Cronofy sends `location` as `{"description": "…"}`; a plain string is accepted too. */
function locationOf(value: unknown): string | null {
  if (typeof value === 'object' && value !== null && 'description' in value) return text(value.description);
  return text(value);
}

function eventInfo(request: LinkRequest): EventInfo {
  return {
    summary: String(request.event.summary ?? ''),
    description: text(request.event.description),
    location: locationOf(request.event.location),
  };
}

/** The steps as the page lists them: by ordinal (steps sharing one keep the request's order). */
function stepsInOrder(request: LinkRequest): StepSummary[] {
  return request.sequence.steps
    .map((step, index) => ({ step, index }))
    .sort((a, b) => (a.step.ordinal ?? a.index) - (b.step.ordinal ?? b.index) || a.index - b.index)
    .map(({ step, index }) => ({
      summary: stepSummary(request, index),
      durationMinutes: step.durationMinutes,
    }));
}

function itinerarySteps(option: BookedOption): ItineraryStep[] {
  return option.steps.map((s) => ({ summary: s.summary, start: s.start, end: s.end }));
}

/** A booked step carries everything an option key needs (index and start, running order). */
function keyOfBooked(option: BookedOption): string {
  return optionKey(option);
}

/** One VEVENT per step, with UIDs stable across downloads: `{link id}-{sequence_id}@rtseq`. */
function itineraryIcs(link: LinkRecord, booked: BookedOption): string {
  const request = linkRequestOf(link);
  const tzid = request.sequence.tzid ?? undefined;
  return serializeEvents(
    booked.steps.map((step) => {
      const own = request.sequence.steps[step.index]?.event ?? {};
      const description = text(own.description) ?? text(request.event.description);
      const location = locationOf(own.location) ?? locationOf(request.event.location);
      return {
        uid: `${link.id}-${String(step.sequenceId)}@rtseq`,
        summary: step.summary,
        start: step.start,
        end: step.end,
        ...(tzid === undefined ? {} : { tzid }),
        ...(description === null ? {} : { description }),
        ...(location === null ? {} : { location }),
      };
    }),
    { prodId: '-//rtseq//booking page//EN', method: 'PUBLISH', dtstamp: link.completedAt ?? link.createdAt },
  );
}
