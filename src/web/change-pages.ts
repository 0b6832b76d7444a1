/**
 * The invitee's reschedule and cancel pages (SPEC 6.6), and the links to them on the completed
 * page. Pure functions from view data to HTML in the visitor's language (the page's own words
 * from ../i18n, these pages' words from ./i18n/changes.ts); every value is escaped.
 */
import { html, type SafeHtml } from './html.ts';
import { changeTranslator, type TranslateChange } from './i18n/changes.ts';
import { LocalClock } from './intl.ts';
import { layout, notices, type PageEnv, pageHref, settingsFields } from './views/common.ts';
import { type ItineraryStep, itinerary } from './views/itinerary.ts';
import { type EventInfo, eventHeader } from './views/open.ts';
import { zoneName } from './zones.ts';

export type ChangeView = {
  readonly csrf: string;
  readonly event: EventInfo;
  /** The current booking. */
  readonly steps: readonly ItineraryStep[];
};

export function changeWords(env: PageEnv): TranslateChange {
  return changeTranslator(env.locale.language);
}

export function clockOf(env: PageEnv, steps: readonly { start: number; end: number }[]): LocalClock {
  return new LocalClock(
    env.query.tz,
    steps.flatMap((s) => [s.start, s.end]),
    env.formats,
  );
}

function currentBooking(env: PageEnv, view: ChangeView): SafeHtml {
  const clock = clockOf(env, view.steps);
  const first = view.steps[0]?.start ?? env.now;
  return html`<section aria-labelledby="current-title">
<h2 id="current-title">${changeWords(env)('current_booking')}</h2>
${itinerary(clock, env.t, view.steps)}
<p class="zone-current">${env.t('zone_current', { zone: zoneName(env.query.tz, env.locale.tag), offset: clock.offset(first) })}</p>
</section>`;
}

function keepLink(env: PageEnv): SafeHtml {
  return html`<a id="keep" class="button secondary" href="${pageHref(env)}">${changeWords(env)('keep_booking')}</a>`;
}

export function reschedulePage(env: PageEnv, view: ChangeView): SafeHtml {
  const w = changeWords(env);
  return layout(
    env,
    { title: w('reschedule_title', { event: view.event.summary }) },
    html`${eventHeader(env, view.event, w('reschedule_lead'))}
${currentBooking(env, view)}
<p>${w('reschedule_explain')}</p>
<div class="actions">
<form method="post" action="${env.base ?? ''}/reschedule">
${settingsFields(env, view.csrf)}
<button type="submit" class="primary" id="reschedule">${w('reschedule_button')}</button>
</form>
${keepLink(env)}
</div>`,
  );
}

export function cancelPage(
  env: PageEnv,
  view: ChangeView & { readonly reason: string; readonly error: string | null },
): SafeHtml {
  const w = changeWords(env);
  return layout(
    env,
    { title: w('cancel_title', { event: view.event.summary }) },
    html`${view.error !== null && notices([{ tone: 'warn', text: view.error }])}
${eventHeader(env, view.event, w('cancel_lead'))}
${currentBooking(env, view)}
<p>${w('cancel_explain')}</p>
<form method="post" action="${env.base ?? ''}/cancel" class="cancel">
${settingsFields(env, view.csrf)}
<p><label for="reason">${w('cancel_reason_label')}</label></p>
<p><textarea id="reason" name="reason" rows="3" maxlength="500">${view.reason}</textarea></p>
<div class="actions">
<button type="submit" class="primary" id="confirm-cancel">${w('cancel_button')}</button>
${keepLink(env)}
</div>
</form>`,
  );
}

/** The completed page's links to the reschedule and cancel pages, when the invitee may use them. */
export function changeLinks(
  env: PageEnv,
  allowed: { readonly reschedule: boolean; readonly cancel: boolean },
): SafeHtml | undefined {
  if (!allowed.reschedule && !allowed.cancel) return undefined;
  const w = changeWords(env);
  const href = (action: string) => pageHref(env, { day: undefined }, `/${action}`);
  return html`<section class="changes" aria-labelledby="changes-title">
<h2 id="changes-title">${w('change_title')}</h2>
<p>${allowed.reschedule && html`<a id="reschedule-link" href="${href('reschedule')}">${w('reschedule_link')}</a>`}${allowed.reschedule && allowed.cancel && html` · `}${allowed.cancel && html`<a id="cancel-link" href="${href('cancel')}">${w('cancel_link')}</a>`}</p>
</section>`;
}
