/**
 * `GET/POST /oauth/authorize` (SPEC 8b): where a person connects their calendar to an application.
 * The request is checked on every load and post (app/connections/authorization.ts): an unknown
 * client or an unregistered redirect URI gets an error page and is sent nowhere. Every POST needs
 * the page's cookie and CSRF token, as on /book. Provider failures are said on the page in the
 * person's language; a refused private address reads exactly like an unreachable server.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type AuthorizeRequest,
  checkAuthorizeRequest,
  connectProvider,
  deniedUrl,
  offeredProviders,
  type ProviderForm,
} from '../../app/connections/authorization.ts';
import { CALLBACK_SLUGS, connectSyncedProvider, consentUrl } from '../../app/sync/connect.ts';
import { DomainError, type Problem } from '../../domain/errors.ts';
import { isProviderError, type SyncedProviderName } from '../../ports/synced-provider.ts';
import type { SafeHtml } from '../html.ts';
import type { AuthorizeKey } from '../i18n/authorize.ts';
import { FORM_BODY_LIMIT, type PageKit } from '../page-kit.ts';
import {
  CsrfSigner,
  contentSecurityPolicy,
  HOLDER_COOKIE,
  holderFrom,
  logoSources,
  newHolder,
} from '../security.ts';
import type { PageEnv } from '../views/common.ts';
import { openState, sealState } from './provider-state.ts';
import { cancelForm, choicePage, type FieldErrors, formPage, type ProviderChoice, words } from './views.ts';

const PATH = '/oauth/authorize';
/** The fields that carry the authorization request through the page's forms. */
const CARRIED = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'link_token',
  'lang',
] as const;

type Raw = Record<string, unknown>;

/**
 * Registers the page in a scope of its own with the booking page's protections: its security
 * headers, `no-store`, the per-IP page rate limit and its error pages.
 */
export function registerAuthorizePage(
  app: FastifyInstance,
  kit: PageKit,
  options: { secure: boolean; headers: Readonly<Record<string, string>> },
): void {
  app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      reply.headers(options.headers);
      reply.header('cache-control', 'no-store');
      const wait = kit.deps.pageLimiter.hit(request.ip, kit.ctx.clock.now());
      if (wait > 0) {
        reply.header('retry-after', String(wait));
        const env = kit.env(request);
        return kit.message(reply, 429, env, {
          title: env.t('rate_title'),
          paragraphs: [env.t('rate_text', { seconds: wait })],
        });
      }
    });
    scope.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
      const env = kit.env(request);
      const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
      if (status === 413) return kit.say(reply, 413, env, 'too_much');
      if (status >= 400 && status < 500) return kit.say(reply, 400, env, 'unreadable');
      request.log.error({ err: error }, 'authorization page error');
      return kit.say(reply, 500, env, 'error');
    });
    registerActions(scope, kit, options.secure);
  });
}

function registerActions(app: FastifyInstance, kit: PageKit, secure: boolean): void {
  const csrf = new CsrfSigner(kit.ctx.config.secretKey);
  const carried = (raw: Raw, holder: string) => carriedFields(csrf, raw, holder);
  const consent = (raw: Raw, holder: string, provider: SyncedProviderName) => {
    const params = { ...carried(raw, holder), provider_name: provider };
    return consentUrl(kit.ctx, provider, sealState(csrf, holder, params, kit.ctx.clock.now()));
  };

  const session = (request: FastifyRequest, reply: FastifyReply): string => {
    const existing = holderFrom(request.headers.cookie);
    if (existing !== undefined) return existing;
    const holder = newHolder();
    reply.header(
      'set-cookie',
      `${HOLDER_COOKIE}=${holder}; Path=/oauth; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`,
    );
    return holder;
  };

  const envOf = (request: FastifyRequest, raw: Raw, authz?: AuthorizeRequest) =>
    kit.env(request, { raw, ...(authz === undefined ? {} : { application: authz.application }) });

  /** The checked request, or undefined when the page already answered (refusal or redirect). */
  const checked = async (request: FastifyRequest, reply: FastifyReply, raw: Raw) => {
    const check = await checkAuthorizeRequest(kit.ctx, raw);
    if (check.kind === 'ok') return check.request;
    if (check.kind === 'redirect') {
      reply.redirect(check.url, 303);
      return undefined;
    }
    const env = envOf(request, raw);
    const w = words(env);
    kit.message(reply, 400, env, {
      title: w('refused_title'),
      paragraphs: [w(check.reason === 'unknown_client' ? 'unknown_client_text' : 'unregistered_text')],
    });
    return undefined;
  };

  const render = (
    reply: FastifyReply,
    env: PageEnv,
    authz: AuthorizeRequest,
    raw: Raw,
    holder: string,
    state: { status: number; values?: Raw; errors?: FieldErrors; general?: string | null },
  ) => {
    const hidden = carried(raw, holder);
    const provider = authz.providerName;
    if (provider !== 'caldav' && provider !== 'ics') {
      const choices: ProviderChoice[] = offeredProviders(kit.ctx).map((name) => ({
        name,
        href: pageUrl(raw, { provider_name: name }),
        label: words(env)(`${name}_name`),
        hint: words(env)(`${name}_hint`),
      }));
      return send(reply, state.status, choicePage(env, choices, cancelForm(env, hidden)), env, authz);
    }
    const values: Record<string, string> = {};
    for (const [name, value] of Object.entries(state.values ?? {}))
      if (typeof value === 'string') values[name] = value;
    return send(
      reply,
      state.status,
      formPage(env, {
        provider,
        carried: hidden,
        values,
        errors: state.errors ?? {},
        general: state.general ?? null,
        // A relink reconnects one profile: its provider is fixed.
        chooseHref: authz.link?.profile != null ? null : pageUrl(raw, { provider_name: null }),
      }),
      env,
      authz,
    );
  };

  app.get(PATH, async (request, reply) => {
    const raw = (request.query ?? {}) as Raw;
    const authz = await checked(request, reply, raw);
    if (authz === undefined) return reply;
    const holder = session(request, reply);
    const provider = authz.providerName;
    // Signed in at the provider: the person goes there with a state only this browser can bring back.
    if (provider === 'google' || provider === 'office365')
      return reply.redirect(consent(raw, holder, provider), 303);
    return render(reply, envOf(request, raw, authz), authz, raw, holder, { status: 200 });
  });

  registerProviderCallbacks(app, kit, csrf, checked, envOf);

  app.post(PATH, { bodyLimit: FORM_BODY_LIMIT }, async (request, reply) => {
    const form = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Raw;
    const holder = holderFrom(request.headers.cookie);
    if (
      holder === undefined ||
      !csrf.verify(`authorize\n${form.client_id}\n${form.redirect_uri}`, holder, form.csrf)
    ) {
      const env = envOf(request, form);
      const w = words(env);
      return kit.message(reply, 403, env, { title: w('expired_title'), paragraphs: [w('expired_text')] });
    }
    const authz = await checked(request, reply, form);
    if (authz === undefined) return reply;
    if (form.action === 'cancel') return reply.redirect(deniedUrl(authz), 303);
    const env = envOf(request, form, authz);
    const provider = readProviderForm(form, authz);
    if (provider.errors !== null) {
      return render(reply, env, authz, form, holder, {
        status: 422,
        values: form,
        errors: translate(env, provider.errors),
      });
    }
    try {
      const target = await connectProvider(kit.ctx, authz, provider.form);
      return reply.redirect(target, 303);
    } catch (error) {
      if (!(error instanceof DomainError) || error.problems.length === 0) {
        if (error instanceof DomainError) {
          return render(reply, env, authz, form, holder, {
            status: 409,
            values: form,
            general: words(env)('busy_text'),
          });
        }
        throw error;
      }
      return render(reply, env, authz, form, holder, {
        status: 422,
        values: form,
        errors: translate(env, problemKeys(error.problems, provider.form.kind)),
      });
    }
  });
}

/** The fields that carry the request through the page's forms, with this browser's CSRF token. */
function carriedFields(csrf: CsrfSigner, raw: Raw, holder: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of CARRIED) if (typeof raw[name] === 'string' && raw[name] !== '') out[name] = raw[name];
  out.csrf = csrf.sign(`authorize\n${raw.client_id}\n${raw.redirect_uri}`, holder);
  return out;
}

/**
 * `GET /oauth/callback/{google|microsoft}`: where the provider's consent page sends the person
 * back. The state must be the one this browser was given; a refusal goes to the application as
 * `access_denied`; a code becomes the profile and the application's code (app/sync/connect.ts).
 */
function registerProviderCallbacks(
  app: FastifyInstance,
  kit: PageKit,
  csrf: CsrfSigner,
  checked: (request: FastifyRequest, reply: FastifyReply, raw: Raw) => Promise<AuthorizeRequest | undefined>,
  envOf: (request: FastifyRequest, raw: Raw, authz?: AuthorizeRequest) => PageEnv,
): void {
  for (const [provider, slug] of Object.entries(CALLBACK_SLUGS) as [SyncedProviderName, string][]) {
    app.get(`/oauth/callback/${slug}`, async (request, reply) => {
      const query = (request.query ?? {}) as Raw;
      const raw = openState(csrf, holderFrom(request.headers.cookie), query.state, kit.ctx.clock.now());
      if (raw === undefined || raw.provider_name !== provider) {
        const env = envOf(request, query);
        const w = words(env);
        return kit.message(reply, 403, env, { title: w('expired_title'), paragraphs: [w('expired_text')] });
      }
      const authz = await checked(request, reply, raw);
      if (authz === undefined) return reply;
      const code = typeof query.code === 'string' && query.code.length <= 4096 ? query.code : '';
      if (query.error !== undefined || code === '') return reply.redirect(deniedUrl(authz), 303);
      try {
        return reply.redirect(await connectSyncedProvider(kit.ctx, authz, provider, code), 303);
      } catch (error) {
        // The provider refused the code: as a refusal on its page (SPEC 8b).
        if (isProviderError(error) && error.code === 'grant_revoked')
          return reply.redirect(deniedUrl(authz), 303);
        request.log.warn({ err: error, provider }, 'connecting a provider failed');
        const env = envOf(request, raw, authz);
        const w = words(env);
        return kit.message(reply, 502, env, {
          title: w('busy_title'),
          paragraphs: [w('provider_failed', { provider: w(`${provider}_name`) })],
        });
      }
    });
  }
}

/**
 * Sends a page whose forms may end in a redirect to the application: a form's redirect is held to
 * the page's `form-action`, so the registered redirect URI's origin (and only it) is added there.
 */
function send(reply: FastifyReply, status: number, page: SafeHtml, env: PageEnv, authz: AuthorizeRequest) {
  const policy = contentSecurityPolicy(logoSources(env.branding.logoUrl)).replace(
    "form-action 'self'",
    `form-action 'self' ${new URL(authz.redirectUri).origin}`,
  );
  return reply
    .code(status)
    .header('content-security-policy', policy)
    .type('text/html; charset=utf-8')
    .send(page.text);
}

/** The page's URL with the request's parameters, changed by `changes` (null removes one). */
function pageUrl(raw: Raw, changes: Readonly<Record<string, string | null>>): string {
  const params = new URLSearchParams();
  for (const name of [...CARRIED, 'provider_name'] as const) {
    const value = Object.hasOwn(changes, name) ? changes[name] : raw[name];
    if (typeof value === 'string' && value !== '') params.set(name, value);
  }
  return `${PATH}?${params.toString()}`;
}

type FieldKeys = Record<string, AuthorizeKey>;

function translate(env: PageEnv, keys: FieldKeys): FieldErrors {
  const w = words(env);
  return Object.fromEntries(Object.entries(keys).map(([field, key]) => [field, w(key)]));
}

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

function isHttpUrl(value: string, webcal: boolean): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' || (webcal && url.protocol === 'webcal:');
  } catch {
    return false;
  }
}

/** What the person typed, checked for presence and shape before anything is fetched. */
function readProviderForm(
  form: Raw,
  authz: AuthorizeRequest,
): { form: ProviderForm; errors: null } | { form: null; errors: FieldKeys } {
  const errors: FieldKeys = {};
  if (authz.providerName === 'ics') {
    const url = text(form.url);
    if (url === '') errors.url = 'missing_feed';
    else if (url.length > 2000 || !isHttpUrl(url, true)) errors.url = 'not_url';
    return Object.keys(errors).length > 0
      ? { form: null, errors }
      : { form: { kind: 'ics', url }, errors: null };
  }
  const serverUrl = text(form.server_url);
  const username = text(form.username);
  const password = typeof form.password === 'string' ? form.password : '';
  if (serverUrl === '') errors.server_url = 'missing_server';
  else if (serverUrl.length > 2000 || !isHttpUrl(serverUrl, false)) errors.server_url = 'not_url';
  if (username === '') errors.username = 'missing_username';
  else if (username.length > 500) errors.username = 'missing_username';
  if (password === '') errors.password = 'missing_password';
  else if (password.length > 1000) errors.password = 'auth_failed';
  if (Object.keys(errors).length > 0) return { form: null, errors };
  return { form: { kind: 'caldav', serverUrl, username, password }, errors: null };
}

/**
 * The adapters' problems as the page's words. Every way a server or feed can fail to answer
 * (refused by the outbound guard, unreachable, timed out, not a CalDAV server) reads the same.
 */
function problemKeys(problems: readonly Problem[], kind: ProviderForm['kind']): FieldKeys {
  const keys: FieldKeys = {};
  for (const problem of problems) {
    const key = problemKey(problem.code, kind);
    const field =
      kind === 'ics'
        ? 'url'
        : problem.path === 'password' || problem.path === 'username'
          ? problem.path
          : 'server_url';
    keys[field] ??= key;
  }
  return keys;
}

function problemKey(code: string, kind: ProviderForm['kind']): AuthorizeKey {
  if (kind === 'ics') return code === 'errors.ics_invalid' ? 'feed_invalid' : 'feed_unreachable';
  switch (code) {
    case 'errors.caldav_auth_failed':
      return 'auth_failed';
    case 'errors.caldav_forbidden':
      return 'forbidden';
    case 'errors.caldav_no_calendars':
      return 'no_calendars';
    default:
      return 'server_unreachable';
  }
}
