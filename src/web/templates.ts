/**
 * The booking page's views. Pure functions from view data to HTML; every user value goes through
 * `html` and is escaped. No inline script or style (the CSP forbids both): behaviour and looks come
 * from the hashed files under assets/.
 */
import type { SequenceOption } from '../domain/engine/types.ts';
import { COMMON_ZONES, formatDuration, type HourFormat, isoInstant, ZoneClock } from './format.ts';
import { html, type SafeHtml } from './html.ts';

export type AssetUrls = { readonly css: string; readonly js: string; readonly icon: string };

/** What every form on a page needs to post back. */
export type FormContext = {
  /** URL path of the link's page, `/book/{token}` (already URL-encoded). */
  readonly base: string;
  readonly csrf: string;
  readonly zone: string;
};

export type StepSummary = { readonly summary: string; readonly durationMinutes: number };

export type ItineraryStep = { readonly summary: string; readonly start: number; readonly end: number };

export type EventInfo = {
  readonly summary: string;
  readonly description: string | null;
  readonly location: string | null;
};

type LayoutOptions = {
  readonly title: string;
  readonly assets: AssetUrls;
  /** `<html data-…>` values the script reads. */
  readonly data?: Readonly<Record<string, string>>;
  /** The page's language (BCP 47); English when absent. */
  readonly lang?: string;
};

export function layout(options: LayoutOptions, content: SafeHtml): SafeHtml {
  const data = Object.entries(options.data ?? {}).map(([k, v]) => html` data-${k}="${v}"`);
  return html`<!doctype html>
<html lang="${options.lang ?? 'en'}"${data}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${options.title}</title>
<link rel="icon" href="${options.assets.icon}" type="image/svg+xml">
<link rel="stylesheet" href="${options.assets.css}">
<script src="${options.assets.js}" defer></script>
</head>
<body>
<main id="main" tabindex="-1">
${content}
</main>
<footer class="site-footer"><p>Scheduling by rtseq</p></footer>
</body>
</html>
`;
}

function hidden(name: string, value: string): SafeHtml {
  return html`<input type="hidden" name="${name}" value="${value}">`;
}

function eventHeader(event: EventInfo, lead: string): SafeHtml {
  return html`<header class="event">
<p class="lead">${lead}</p>
<h1>${event.summary}</h1>
${event.location !== null && html`<p class="meta"><span class="label">Where:</span> ${event.location}</p>`}
${event.description !== null && html`<p class="description">${event.description}</p>`}
</header>`;
}

function stepsSection(steps: readonly StepSummary[]): SafeHtml {
  const total = steps.reduce((sum, s) => sum + s.durationMinutes, 0);
  if (steps.length === 1) {
    return html`<p class="meta"><span class="label">Duration:</span> ${formatDuration(total)}</p>`;
  }
  return html`<section class="steps" aria-labelledby="steps-title">
<h2 id="steps-title">What you are booking</h2>
<ol>${steps.map((s) => html`<li><span class="step-name">${s.summary}</span> <span class="duration">${formatDuration(s.durationMinutes)}</span></li>`)}</ol>
</section>`;
}

const byZoneName = (a: string, b: string) =>
  a === 'UTC' ? -1 : b === 'UTC' ? 1 : a < b ? -1 : a > b ? 1 : 0;
const SORTED_ZONES: readonly string[] = [...COMMON_ZONES].sort(byZoneName);

function zoneForm(form: FormContext, linkZone: string | null, instant: number): SafeHtml {
  const extra = [form.zone, ...(linkZone === null ? [] : [linkZone])].filter(
    (z) => !SORTED_ZONES.includes(z),
  );
  const zones = extra.length === 0 ? SORTED_ZONES : [...SORTED_ZONES, ...extra].sort(byZoneName);
  return html`<form class="zone" method="get" action="${form.base}">
<p class="zone-current">Times are shown in <strong>${form.zone.replaceAll('_', ' ')}</strong> (${new ZoneClock(form.zone, [instant]).offset(instant)}).</p>
<div class="zone-controls">
<label for="tz">Time zone</label>
<select id="tz" name="tz">${zones.map((z) => html`<option value="${z}"${z === form.zone ? html` selected` : ''}>${z.replaceAll('_', ' ')}</option>`)}</select>
<button type="submit" class="secondary">Show times</button>
</div>
</form>`;
}

export type Notice = { readonly tone: 'info' | 'warn'; readonly text: string };

function notices(list: readonly Notice[]): SafeHtml {
  return html`${list.map((n) => html`<div class="notice ${n.tone}" role="status"><p>${n.text}</p></div>`)}`;
}

function failuresNotice(failures: readonly { calendarId: string; reason: string }[]): SafeHtml {
  if (failures.length === 0) return html``;
  return html`<div class="notice warn" role="status">
<p>Some calendars could not be read just now, so the people who use them are left out of the times below. Reloading the page in a minute may show more times.</p>
<ul class="failures">${failures.map((f) => html`<li>Calendar <code>${f.calendarId}</code>: ${f.reason}</li>`)}</ul>
</div>`;
}

export type OpenPageView = {
  readonly assets: AssetUrls;
  readonly form: FormContext;
  readonly event: EventInfo;
  readonly steps: readonly StepSummary[];
  readonly linkZone: string | null;
  readonly hourFormat: HourFormat;
  readonly selectionMode: 'no_confirm' | 'confirm';
  readonly options: readonly SequenceOption[];
  readonly optionKey: (option: SequenceOption) => string;
  readonly failures: readonly { calendarId: string; reason: string }[];
  readonly notices: readonly Notice[];
  /** Set when the zone came from the link or a default, so the script may detect the viewer's. */
  readonly detectZone: boolean;
  readonly now: number;
};

type DayGroup = {
  key: string;
  label: string;
  items: { option: SequenceOption; start: number; end: number }[];
};

function groupByDay(clock: ZoneClock, options: readonly SequenceOption[]): DayGroup[] {
  const days: DayGroup[] = [];
  for (const option of options) {
    const start = option.steps[0]!.start;
    const end = option.steps[option.steps.length - 1]!.end;
    const key = clock.dayKey(start);
    let day = days[days.length - 1];
    if (day === undefined || day.key !== key) {
      day = { key, label: clock.day(start), items: [] };
      days.push(day);
    }
    day.items.push({ option, start, end });
  }
  return days;
}

function timesSection(view: OpenPageView): SafeHtml {
  const { form, hourFormat } = view;
  if (view.options.length === 0) {
    return html`<section class="times" aria-labelledby="times-title">
<h2 id="times-title">Available times</h2>
<p class="empty">There are no times available right now.</p>
</section>`;
  }
  const clock = new ZoneClock(
    form.zone,
    view.options.flatMap((o) => [o.steps[0]!.start, o.steps[o.steps.length - 1]!.end]),
  );
  const days = groupByDay(clock, view.options);
  const hint =
    view.selectionMode === 'confirm'
      ? 'Choose a start time. You can check the details before you confirm.'
      : 'Choose a start time. Choosing a time books it straight away.';
  return html`<section class="times" aria-labelledby="times-title">
<h2 id="times-title">Available times</h2>
<p class="hint">${hint}</p>
<form method="post" action="${form.base}/choose" class="choose">
${hidden('csrf', form.csrf)}${hidden('tz', form.zone)}
${days.map((day) => {
  const labels = day.items.map((item) => clock.time(item.start, hourFormat));
  const seen = new Map<string, number>();
  for (const label of labels) seen.set(label, (seen.get(label) ?? 0) + 1);
  return html`<section class="day" aria-labelledby="day-${day.key}">
<h3 id="day-${day.key}">${day.label}</h3>
<ul class="slots">${day.items.map((item, i) => {
    // On a fall-back day a wall time can occur twice: say which is which.
    const repeated = seen.get(labels[i]!)! > 1;
    const label = repeated ? `${labels[i]} (${clock.offset(item.start)})` : labels[i]!;
    return html`<li><button type="submit" name="option" value="${view.optionKey(item.option)}" class="slot"><time datetime="${isoInstant(item.start)}">${label}</time><span class="until"> to ${endLabel(clock, item.start, item.end, hourFormat)}</span><span class="visually-hidden">, ${day.label}</span></button></li>`;
  })}</ul>
</section>`;
})}
</form>
</section>`;
}

function noneForm(form: FormContext): SafeHtml {
  return html`<section class="none" aria-labelledby="none-title">
<h2 id="none-title">Nothing suitable?</h2>
<form method="post" action="${form.base}/none">
${hidden('csrf', form.csrf)}${hidden('tz', form.zone)}
<button type="submit" class="secondary">None of these times work</button>
</form>
</section>`;
}

export function openPage(view: OpenPageView): SafeHtml {
  const data: Record<string, string> = { tz: view.form.zone };
  if (view.detectZone) data['tz-detect'] = '1';
  return layout(
    { title: `${view.event.summary}: choose a time`, assets: view.assets, data },
    html`${notices(view.notices)}
${eventHeader(view.event, 'Choose a time for')}
${stepsSection(view.steps)}
${failuresNotice(view.failures)}
${zoneForm(view.form, view.linkZone, view.now)}
${timesSection(view)}
${noneForm(view.form)}`,
  );
}

function itinerary(zone: string, hourFormat: HourFormat, steps: readonly ItineraryStep[]): SafeHtml {
  const clock = new ZoneClock(
    zone,
    steps.flatMap((s) => [s.start, s.end]),
  );
  return html`<ol class="itinerary">${steps.map(
    (s) => html`<li>
<span class="step-name">${s.summary}</span>
<span class="when"><time datetime="${isoInstant(s.start)}">${clock.shortDay(s.start)}, ${clock.time(s.start, hourFormat)}</time> to <time datetime="${isoInstant(s.end)}">${clock.dayKey(s.end) === clock.dayKey(s.start) ? '' : `${clock.shortDay(s.end)}, `}${clock.time(s.end, hourFormat)}</time></span>
</li>`,
  )}</ol>
<p class="zone-current">Times in <strong>${zone.replaceAll('_', ' ')}</strong> (${clock.offset(steps[0]?.start ?? 0)}).</p>`;
}

export type ConfirmPageView = {
  readonly assets: AssetUrls;
  readonly form: FormContext;
  readonly event: EventInfo;
  readonly hourFormat: HourFormat;
  readonly steps: readonly ItineraryStep[];
  readonly option: string;
  readonly expiresAt: number;
  readonly holdMinutes: number;
};

export function confirmPage(view: ConfirmPageView): SafeHtml {
  const { form } = view;
  return layout(
    { title: `${view.event.summary}: confirm your time`, assets: view.assets },
    html`${eventHeader(view.event, 'Confirm your time for')}
<section aria-labelledby="itinerary-title">
<h2 id="itinerary-title">Your itinerary</h2>
${itinerary(form.zone, view.hourFormat, view.steps)}
<p class="hold">These times are held for you until <time datetime="${isoInstant(view.expiresAt)}">${new ZoneClock(form.zone, [view.expiresAt]).time(view.expiresAt, view.hourFormat)}</time> (${view.holdMinutes} ${view.holdMinutes === 1 ? 'minute' : 'minutes'}).</p>
</section>
<div class="actions">
<form method="post" action="${form.base}/confirm">
${hidden('csrf', form.csrf)}${hidden('tz', form.zone)}${hidden('option', view.option)}
<button type="submit" class="primary">Confirm</button>
</form>
<form method="post" action="${form.base}/back">
${hidden('csrf', form.csrf)}${hidden('tz', form.zone)}
<button type="submit" class="secondary">Back</button>
</form>
</div>`,
  );
}

export type CompletedPageView = {
  readonly assets: AssetUrls;
  readonly form: FormContext;
  readonly event: EventInfo;
  readonly hourFormat: HourFormat;
  readonly steps: readonly ItineraryStep[];
  readonly redirectUrl: string;
  /** True when this page session made the booking: then the script moves on after a countdown. */
  readonly bookedHere: boolean;
  /** Shown instead of the usual line when someone else's booking just beat this visitor's. */
  readonly takenNotice: boolean;
  /** More content after the itinerary (the links to reschedule or cancel, when allowed). */
  readonly extra?: SafeHtml;
};

export function completedPage(view: CompletedPageView): SafeHtml {
  const notice = view.bookedHere
    ? html`<div class="notice success" role="status"><p>You are booked. The organiser has the details.</p></div>`
    : view.takenNotice
      ? html`<div class="notice warn" role="status"><p>Sorry, that time was just taken: this link has been booked by someone else. Nothing was booked for you.</p></div>`
      : html`<div class="notice info" role="status"><p>This link has already been booked.</p></div>`;
  return layout(
    {
      title: `${view.event.summary}: booked`,
      assets: view.assets,
      ...(view.bookedHere ? { data: { page: 'completed' } } : {}),
    },
    html`${notice}
${eventHeader(view.event, 'Booked:')}
<section aria-labelledby="itinerary-title">
<h2 id="itinerary-title">Your itinerary</h2>
${itinerary(view.form.zone, view.hourFormat, view.steps)}
<p><a href="${view.form.base}/itinerary.ics" download="itinerary.ics">Add to your calendar (.ics file)</a></p>
</section>
${view.extra}
<section class="onward" aria-labelledby="onward-title">
<h2 id="onward-title">What next</h2>
<p><a id="continue" class="button primary" href="${view.redirectUrl}">Continue</a></p>
<p id="countdown" class="countdown" hidden><span id="countdown-text"></span> <button type="button" id="stay" class="secondary">Stay on this page</button></p>
</section>`,
  );
}

export type MessagePageView = {
  readonly assets: AssetUrls;
  readonly title: string;
  readonly paragraphs: readonly string[];
  /** Plain text shown as written (e.g. a display_message), line breaks kept. */
  readonly message?: string;
  readonly back?: { readonly href: string; readonly label: string };
};

export function messagePage(view: MessagePageView): SafeHtml {
  return layout(
    { title: view.title, assets: view.assets },
    html`<h1>${view.title}</h1>
${view.message !== undefined && view.message !== '' && html`<p class="message">${view.message}</p>`}
${view.paragraphs.map((p) => html`<p>${p}</p>`)}
${view.back !== undefined && html`<p><a href="${view.back.href}">${view.back.label}</a></p>`}`,
  );
}

/** When an option (a sequence may span days) ends on a later local day, the day is named too. */
function endLabel(clock: ZoneClock, start: number, end: number, hourFormat: HourFormat): string {
  const time = clock.time(end, hourFormat);
  return clock.dayKey(end) === clock.dayKey(start) ? time : `${clock.shortDay(end).slice(0, -5)}, ${time}`;
}
