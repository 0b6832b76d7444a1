/**
 * The invitee's reschedule and cancel pages (SPEC 6.6), and the links to them on the completed
 * page. Pure functions from view data to HTML, in the visitor's language; every value is escaped.
 */
import { html, type SafeHtml } from './html.ts';
import type { TranslateChange } from './i18n/changes.ts';
import { type LocalClock, WallFormats } from './intl.ts';
import { type AssetUrls, type EventInfo, type FormContext, type ItineraryStep, layout } from './templates.ts';

export type ChangeView = {
  readonly assets: AssetUrls;
  readonly form: FormContext;
  /** BCP 47 tag of the page (`<html lang>`), and the language's words. */
  readonly lang: string;
  readonly t: TranslateChange;
  readonly event: EventInfo;
  readonly steps: readonly ItineraryStep[];
  readonly clock: LocalClock;
};

function hidden(name: string, value: string): SafeHtml {
  return html`<input type="hidden" name="${name}" value="${value}">`;
}

/** `Tuesday, January 6, 09:00 – 10:00`, in the viewer's zone and language. */
export function stepWhen(clock: LocalClock, step: { start: number; end: number }): string {
  const sameDay = clock.dayKey(step.start) === clock.dayKey(step.end);
  const end = sameDay ? clock.time(step.end) : `${clock.shortDay(step.end)} ${clock.time(step.end)}`;
  return `${clock.day(step.start)}, ${clock.time(step.start)} – ${end}`;
}

function currentBooking(view: ChangeView): SafeHtml {
  const { clock, t } = view;
  const first = view.steps[0]?.start ?? 0;
  return html`<section aria-labelledby="current-title">
<h2 id="current-title">${t('current_booking')}</h2>
<ol class="itinerary">${view.steps.map(
    (step) =>
      html`<li><span class="step-name">${step.summary}</span> <time datetime="${new Date(step.start).toISOString()}">${stepWhen(clock, step)}</time></li>`,
  )}</ol>
<p class="zone-current">${t('times_in', { zone: clock.zone.replaceAll('_', ' '), offset: clock.offset(first) })}</p>
</section>`;
}

function header(view: ChangeView, lead: string): SafeHtml {
  return html`<header class="event">
<p class="lead">${lead}</p>
<h1>${view.event.summary}</h1>
</header>`;
}

function formFields(view: ChangeView): SafeHtml {
  return html`${hidden('csrf', view.form.csrf)}${hidden('tz', view.form.zone)}${hidden('lang', view.lang)}`;
}

function keepLink(view: ChangeView): SafeHtml {
  return html`<a id="keep" class="button secondary" href="${view.form.base}?tz=${encodeURIComponent(view.form.zone)}">${view.t('keep_booking')}</a>`;
}

export function reschedulePage(view: ChangeView): SafeHtml {
  const { t } = view;
  return layout(
    { title: t('reschedule_title', { event: view.event.summary }), assets: view.assets, lang: view.lang },
    html`${header(view, t('reschedule_lead'))}
${currentBooking(view)}
<p>${t('reschedule_explain')}</p>
<div class="actions">
<form method="post" action="${view.form.base}/reschedule">
${formFields(view)}
<button type="submit" class="primary" id="reschedule">${t('reschedule_button')}</button>
</form>
${keepLink(view)}
</div>`,
  );
}

export function cancelPage(
  view: ChangeView & { readonly reason: string; readonly error: string | null },
): SafeHtml {
  const { t } = view;
  return layout(
    { title: t('cancel_title', { event: view.event.summary }), assets: view.assets, lang: view.lang },
    html`${view.error !== null && html`<div class="notice warn" role="alert"><p>${view.error}</p></div>`}
${header(view, t('cancel_lead'))}
${currentBooking(view)}
<p>${t('cancel_explain')}</p>
<form method="post" action="${view.form.base}/cancel" class="cancel">
${formFields(view)}
<p><label for="reason">${t('cancel_reason_label')}</label></p>
<p><textarea id="reason" name="reason" rows="3" maxlength="500">${view.reason}</textarea></p>
<div class="actions">
<button type="submit" class="primary" id="confirm-cancel">${t('cancel_button')}</button>
${keepLink(view)}
</div>
</form>`,
  );
}

export type ChangeMessageView = {
  readonly assets: AssetUrls;
  readonly lang: string;
  readonly title: string;
  readonly paragraphs: readonly string[];
  readonly back?: { readonly href: string; readonly label: string };
};

export function changeMessagePage(view: ChangeMessageView): SafeHtml {
  return layout(
    { title: view.title, assets: view.assets, lang: view.lang },
    html`<h1>${view.title}</h1>
${view.paragraphs.map((p) => html`<p>${p}</p>`)}
${view.back !== undefined && html`<p><a href="${view.back.href}">${view.back.label}</a></p>`}`,
  );
}

/** The completed page's links to the reschedule and cancel pages, when the invitee may use them. */
export function changeLinks(
  t: TranslateChange,
  base: string,
  allowed: { readonly reschedule: boolean; readonly cancel: boolean },
): SafeHtml | undefined {
  if (!allowed.reschedule && !allowed.cancel) return undefined;
  return html`<section class="changes" aria-labelledby="changes-title">
<h2 id="changes-title">${t('change_title')}</h2>
<p>${allowed.reschedule && html`<a id="reschedule-link" href="${base}/reschedule">${t('reschedule_link')}</a>`}${allowed.reschedule && allowed.cancel && html` · `}${allowed.cancel && html`<a id="cancel-link" href="${base}/cancel">${t('cancel_link')}</a>`}</p>
</section>`;
}

/** `24 hours` / `24 Std.`, for the cutoff message. */
export function cutoffText(tag: string, minutes: number): string {
  return new WallFormats(tag, 'H').duration(minutes);
}
