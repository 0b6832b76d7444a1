/** The confirmation page (confirm mode, with a hold) and the completed page (SPEC 6.2). */
import { html, type SafeHtml } from '../html.ts';
import { LocalClock } from '../intl.ts';
import { zoneName } from '../zones.ts';
import { hidden, layout, type Notice, notices, type PageEnv, settingsFields } from './common.ts';
import { calendarLinks, type ItineraryStep, itinerary, stepTitle } from './itinerary.ts';
import { type EventInfo, eventHeader } from './open.ts';

function clockFor(env: PageEnv, steps: readonly ItineraryStep[], extra: readonly number[] = []): LocalClock {
  return new LocalClock(env.query.tz, [...steps.flatMap((s) => [s.start, s.end]), ...extra], env.formats);
}

function zoneLine(env: PageEnv, clock: LocalClock, at: number): SafeHtml {
  return html`<p class="zone-current">${env.t('zone_current', { zone: zoneName(env.query.tz, env.locale.tag), offset: clock.offset(at) })}</p>`;
}

export type ConfirmPageView = {
  readonly csrf: string;
  readonly event: EventInfo;
  readonly steps: readonly ItineraryStep[];
  readonly option: string;
  readonly expiresAt: number;
  readonly holdMinutes: number;
};

export function confirmPage(env: PageEnv, view: ConfirmPageView): SafeHtml {
  const { t } = env;
  const clock = clockFor(env, view.steps, [view.expiresAt]);
  const minutes = new Intl.NumberFormat(env.locale.tag, {
    style: 'unit',
    unit: 'minute',
    unitDisplay: 'long',
  }).format(view.holdMinutes);
  return layout(
    env,
    { title: t('title_confirm', { event: view.event.summary }) },
    html`${eventHeader(env, view.event, t('lead_confirm'))}
<section aria-labelledby="itinerary-title">
<h2 id="itinerary-title">${t('confirm_itinerary')}</h2>
${itinerary(clock, t, view.steps)}
${zoneLine(env, clock, view.steps[0]?.start ?? env.now)}
<p class="hold">${t('hold_until', { time: clock.time(view.expiresAt), minutes })}</p>
</section>
<div class="actions">
<form method="post" action="${env.base ?? ''}/confirm">
${settingsFields(env, view.csrf)}${hidden('option', view.option)}
<button type="submit" class="primary">${t('confirm')}</button>
</form>
<form method="post" action="${env.base ?? ''}/back">
${settingsFields(env, view.csrf)}
<button type="submit" class="secondary">${t('back')}</button>
</form>
</div>`,
  );
}

export type CompletedPageView = {
  readonly event: EventInfo;
  readonly steps: readonly ItineraryStep[];
  readonly redirectUrl: string;
  /** True when this page session made the booking: then the script moves on after a countdown. */
  readonly bookedHere: boolean;
  /** Shown instead of the usual line when someone else's booking just beat this visitor's. */
  readonly takenNotice: boolean;
  /** More content before "What next" (the links to reschedule or cancel, when allowed). */
  readonly extra?: SafeHtml;
};

export function completedPage(env: PageEnv, view: CompletedPageView): SafeHtml {
  const { t } = env;
  const clock = clockFor(env, view.steps);
  const notice: Notice = view.bookedHere
    ? { tone: 'success', text: t('booked_here') }
    : view.takenNotice
      ? { tone: 'warn', text: t('booked_taken') }
      : { tone: 'info', text: t('booked_other') };
  const data: Record<string, string> = { tz: env.query.tz, countdown: t('countdown') };
  if (view.bookedHere) data.page = 'completed';
  return layout(
    env,
    { title: t('title_booked', { event: view.event.summary }), data },
    html`${notices([notice])}
${eventHeader(env, view.event, t('lead_booked'))}
<section aria-labelledby="itinerary-title">
<h2 id="itinerary-title">${t('confirm_itinerary')}</h2>
${itinerary(clock, t, view.steps)}
${zoneLine(env, clock, view.steps[0]?.start ?? env.now)}
</section>
<section class="add" aria-labelledby="add-title">
<h2 id="add-title">${t('add_to_calendar')}</h2>
<p><a href="${env.base ?? ''}/itinerary.ics" download="itinerary.ics">${t('ics_file')}</a></p>
<ul class="calendar-links">${view.steps.map((step) => {
      const title = stepTitle(step.summary, view.event.summary);
      const links = calendarLinks(title, step);
      return html`<li><span class="step-name">${t('step_links', { step: title })}</span> <a href="${links.google}" rel="noopener" target="_blank">${t('google_calendar')}</a> · <a href="${links.outlook}" rel="noopener" target="_blank">${t('outlook')}</a></li>`;
    })}</ul>
</section>
${view.extra}
<section class="onward" aria-labelledby="onward-title">
<h2 id="onward-title">${t('next_title')}</h2>
<p><a id="continue" class="button primary" href="${view.redirectUrl}">${t('continue')}</a></p>
<p id="countdown" class="countdown" hidden><span id="countdown-text"></span> <button type="button" id="stay" class="secondary">${t('stay')}</button></p>
</section>`,
  );
}
