/**
 * HTML with escaping by default: every value interpolated into `html` is escaped unless it is
 * itself the result of `html` (or `raw`, for the few constant fragments that need it). Link data
 * (summaries, display messages, URLs) is user input, so nothing reaches the page unescaped.
 */

const SAFE = Symbol('safe-html');

export type SafeHtml = { readonly [SAFE]: true; readonly text: string };

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Escapes text for element content and quoted attribute values alike. */
export function escapeHtml(value: string): string {
  return NEEDS_ESCAPE.test(value) ? value.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!) : value;
}

const NEEDS_ESCAPE = /[&<>"'`]/;

function isSafe(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && SAFE in value;
}

/** Trusted markup, for constants only: never pass request or link data through this. */
export function raw(text: string): SafeHtml {
  return { [SAFE]: true, text };
}

type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false || value === true) return '';
  if (isSafe(value)) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * Tagged template: `html\`<p>${summary}</p>\`` escapes `summary`. Arrays are joined (each item
 * escaped unless safe); `null`, `undefined` and booleans render as nothing, so
 * `${cond && html\`…\`}` works.
 */
export function html(strings: TemplateStringsArray, ...values: readonly Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + (strings[i + 1] ?? '');
  return raw(out);
}
