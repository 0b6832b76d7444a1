/**
 * The authorization page (SPEC 8b) in the booking page's layout, branding and languages: the
 * provider choice (plain links), and one form per provider whose errors are listed at the top and
 * beside their fields (`aria-describedby`, `aria-invalid`). Works without script; every value is
 * escaped (../html.ts).
 */
import { html, type SafeHtml } from '../html.ts';
import { authorizeTranslator, type TranslateAuthorize } from '../i18n/authorize.ts';
import { hidden, layout, type PageEnv } from '../views/common.ts';

export type ProviderChoice = {
  readonly name: string;
  /** The page's own URL with `provider_name` set. */
  readonly href: string;
  readonly label: string;
  readonly hint: string;
};

/** Field name → the message keys of its problems. */
export type FieldErrors = Readonly<Record<string, string>>;

export type FormView = {
  readonly provider: 'caldav' | 'ics';
  /** Hidden fields that carry the authorization request (and the CSRF token). */
  readonly carried: Readonly<Record<string, string>>;
  readonly values: Readonly<Record<string, string>>;
  readonly errors: FieldErrors;
  /** A general error (not about one field), already translated. */
  readonly general: string | null;
  /** The choice of providers, when the application did not name one. */
  readonly chooseHref: string | null;
};

export function words(env: PageEnv): TranslateAuthorize {
  return authorizeTranslator(env.locale.language);
}

function lead(env: PageEnv): SafeHtml {
  const w = words(env);
  const app = env.branding.displayName;
  return html`<p class="lead">${app === null ? w('lead_plain') : w('lead', { app })}</p>`;
}

export function choicePage(env: PageEnv, choices: readonly ProviderChoice[], cancel: SafeHtml): SafeHtml {
  const w = words(env);
  return layout(
    env,
    { title: w('title') },
    html`<h1>${w('title')}</h1>
${lead(env)}
<section aria-labelledby="choose-title">
<h2 id="choose-title">${w('choose_title')}</h2>
<ul class="providers">
${choices.map(
  (c) =>
    html`<li><a class="button secondary provider" id="provider-${c.name}" href="${c.href}">${c.label}</a><span class="provider-hint">${c.hint}</span></li>`,
)}
</ul>
</section>
<div class="actions">${cancel}</div>`,
  );
}

type FieldSpec = {
  readonly name: string;
  readonly type: 'url' | 'text' | 'password';
  readonly label: string;
  readonly help: string;
  readonly autocomplete: string;
};

function field(env: PageEnv, view: FormView, spec: FieldSpec): SafeHtml {
  const error = view.errors[spec.name];
  const help = `${spec.name}-help`;
  const errorId = `${spec.name}-error`;
  const described = error === undefined ? help : `${errorId} ${help}`;
  const value = spec.type === 'password' ? '' : (view.values[spec.name] ?? '');
  return html`<div class="field${error === undefined ? '' : ' invalid'}">
<label for="${spec.name}">${spec.label}</label>
${error !== undefined && html`<p class="field-error" id="${errorId}">${error}</p>`}
<input id="${spec.name}" name="${spec.name}" type="${spec.type}" value="${value}" required autocomplete="${spec.autocomplete}" spellcheck="false" autocapitalize="none" aria-describedby="${described}"${error === undefined ? html`` : html` aria-invalid="true"`}>
<p class="help" id="${help}">${spec.help}</p>
</div>`;
}

function fieldsOf(env: PageEnv, provider: FormView['provider']): FieldSpec[] {
  const w = words(env);
  if (provider === 'ics') {
    return [{ name: 'url', type: 'url', label: w('feed_label'), help: w('feed_help'), autocomplete: 'url' }];
  }
  return [
    {
      name: 'server_url',
      type: 'url',
      label: w('server_label'),
      help: w('server_help'),
      autocomplete: 'url',
    },
    {
      name: 'username',
      type: 'text',
      label: w('username_label'),
      help: w('username_help'),
      autocomplete: 'username',
    },
    {
      name: 'password',
      type: 'password',
      label: w('password_label'),
      help: w('password_help'),
      autocomplete: 'current-password',
    },
  ];
}

export function formPage(env: PageEnv, view: FormView): SafeHtml {
  const w = words(env);
  const title = view.provider === 'ics' ? w('ics_title') : w('caldav_title');
  const specs = fieldsOf(env, view.provider);
  const listed = specs.filter((s) => view.errors[s.name] !== undefined);
  const app = env.branding.displayName;
  const hasErrors = listed.length > 0 || view.general !== null;
  return layout(
    env,
    { title: hasErrors ? `${w('errors_title')}: ${title}` : title },
    html`<h1>${title}</h1>
${lead(env)}
${
  hasErrors &&
  html`<div class="notice warn error-summary" role="alert" tabindex="-1" id="errors"><h2>${w('errors_title')}</h2><ul>${
    view.general !== null && html`<li>${view.general}</li>`
  }${listed.map((s) => html`<li><a href="#${s.name}">${view.errors[s.name]}</a></li>`)}</ul></div>`
}
<form method="post" action="/oauth/authorize" class="connect" novalidate>
${Object.entries(view.carried).map(([name, value]) => hidden(name, value))}
${hidden('provider_name', view.provider)}
${specs.map((spec) => field(env, view, spec))}
${view.provider === 'caldav' && html`<p class="help">${app === null ? w('privacy_plain') : w('privacy', { app })}</p>`}
<div class="actions">
<button type="submit" class="primary" name="action" value="connect" id="connect">${w('connect')}</button>
<button type="submit" class="secondary" name="action" value="cancel" id="cancel" formnovalidate>${w('cancel')}</button>
</div>
</form>
${view.chooseHref !== null && html`<p><a href="${view.chooseHref}">${w('other_provider')}</a></p>`}`,
  );
}

/** Cancel on the choice page: a form of its own (no fields to fill). */
export function cancelForm(env: PageEnv, carried: Readonly<Record<string, string>>): SafeHtml {
  return html`<form method="post" action="/oauth/authorize">
${Object.entries(carried).map(([name, value]) => hidden(name, value))}
<button type="submit" class="secondary" name="action" value="cancel" id="cancel">${words(env)('cancel')}</button>
</form>`;
}
