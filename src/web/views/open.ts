/**
 * The open page (SPEC 6.2): who it is from, what is booked, the display settings (zone,
 * language, clock), a month calendar of the days that have times, then that day's options, each
 * with its whole itinerary, and "None of these times work". Only the chosen day's options are in
 * the page, so a long window stays short (and light) on a phone; without script every day is a
 * plain link.
 */
import { isoInstant } from '../format.ts';
import { html, type SafeHtml } from '../html.ts';
import { CATALOGUES, LANGUAGES } from '../i18n/index.ts';
import { dayKeyWall, firstDayOfWeek, LocalClock } from '../intl.ts';
import { zoneChoices, zoneName } from '../zones.ts';
import {
  contactBlock,
  layout,
  type Notice,
  notices,
  type PageEnv,
  pageHref,
  settingsFields,
} from './common.ts';
import { type ItineraryStep, itinerary } from './itinerary.ts';

export type EventInfo = {
  readonly summary: string;
  readonly description: string | null;
  readonly location: string | null;
};

export type StepSummary = { readonly summary: string; readonly durationMinutes: number };

/**
 * One option: its key (what the form posts), its steps in running order, and the span it is
 * labelled by: the whole option, or, when only some steps move (SPEC 6.6), the first moving step.
 */
export type OptionView = {
  readonly key: string;
  readonly steps: readonly ItineraryStep[];
  readonly label: { readonly start: number; readonly end: number };
};

export type OpenPageView = {
  readonly csrf: string;
  readonly event: EventInfo;
  readonly steps: readonly StepSummary[];
  readonly linkZone: string | null;
  readonly selectionMode: 'no_confirm' | 'confirm';
  readonly options: readonly OptionView[];
  readonly failures: readonly { readonly calendarId: string; readonly reason: string }[];
  readonly notices: readonly Notice[];
  /** Set when the zone came from the link or a default, so the script may detect the viewer's. */
  readonly detectZone: boolean;
};

export function eventHeader(env: PageEnv, event: EventInfo, lead: string): SafeHtml {
  const { organizer, t } = env;
  return html`<header class="event">
<p class="lead">${lead}</p>
<h1>${event.summary}</h1>
${organizer?.name != null && html`<p class="organizer">${t('organizer', { name: organizer.name })}</p>`}
${event.location !== null && html`<p class="meta"><span class="label">${t('where')}</span> ${event.location}</p>`}
${event.description !== null && html`<p class="description">${event.description}</p>`}
</header>`;
}

function stepsSection(env: PageEnv, steps: readonly StepSummary[]): SafeHtml {
  const { t, formats } = env;
  if (steps.length === 1) {
    return html`<p class="meta"><span class="label">${t('duration')}</span> ${formats.duration(steps[0]!.durationMinutes)}</p>`;
  }
  return html`<section class="steps" aria-labelledby="steps-title">
<h2 id="steps-title">${t('steps_title')}</h2>
<ol>${steps.map((s) => html`<li><span class="step-name">${s.summary}</span> <span class="duration">${formats.duration(s.durationMinutes)}</span></li>`)}</ol>
</section>`;
}

function failuresNotice(env: PageEnv, failures: OpenPageView['failures']): SafeHtml {
  if (failures.length === 0) return html``;
  return html`<div class="notice warn" role="status">
<p>${env.t('failures_text')}</p>
<ul class="failures">${failures.map((f) => html`<li>${env.t('failure_item', { calendar: f.calendarId, reason: f.reason })}</li>`)}</ul>
</div>`;
}

/** Zone, language and clock: a GET form (Apply without script; the script applies on change). */
function settingsForm(env: PageEnv, linkZone: string | null, offset: string): SafeHtml {
  const { t, query, locale, formats } = env;
  const zones = zoneChoices(locale.tag, formats.hourFormat, env.now, [
    query.tz,
    ...(linkZone === null ? [] : [linkZone]),
  ]);
  return html`<form class="settings" method="get" action="${env.base ?? ''}" aria-labelledby="settings-title">
<h2 id="settings-title" class="visually-hidden">${t('settings_title')}</h2>
<p class="zone-current">${t('zone_current', { zone: zoneName(query.tz, locale.tag), offset })}</p>
${query.day !== undefined && html`<input type="hidden" name="day" value="${query.day}">`}
<div class="field zone-field">
<label for="tz">${t('zone_label')}</label>
<div class="zone-search" hidden><label for="tz-search" class="visually-hidden">${t('zone_search')}</label><input id="tz-search" type="search" autocomplete="off" placeholder="${t('zone_search')}" aria-describedby="tz-none"><span id="tz-none" class="hint" hidden>${t('zone_no_match')}</span></div>
<select id="tz" name="tz">${zones.map((z) => html`<option value="${z.id}"${z.id === query.tz ? html` selected` : ''}>${z.label}</option>`)}</select>
</div>
<div class="field">
<label for="lang">${t('language_label')}</label>
<select id="lang" name="lang">${LANGUAGES.map((l) => html`<option value="${l}" lang="${l}"${l === locale.language ? html` selected` : ''}>${CATALOGUES[l].language_name}</option>`)}</select>
</div>
<div class="field">
<label for="hf">${t('hour_label')}</label>
<select id="hf" name="hf"><option value="H"${formats.hourFormat === 'H' ? html` selected` : ''}>${t('hour_24')}</option><option value="h"${formats.hourFormat === 'h' ? html` selected` : ''}>${t('hour_12')}</option></select>
</div>
<button type="submit" class="secondary apply">${t('apply')}</button>
</form>`;
}

type Day = { readonly key: string; readonly options: OptionView[] };

function groupByDay(clock: LocalClock, options: readonly OptionView[]): Day[] {
  const days: Day[] = [];
  for (const option of options) {
    const key = clock.dayKey(option.label.start);
    const last = days[days.length - 1];
    if (last !== undefined && last.key === key) last.options.push(option);
    else days.push({ key, options: [option] });
  }
  return days;
}

/** The requested day when it has times, else the next day that has, else the first. */
function selectDay(days: readonly Day[], requested: string | undefined): Day {
  if (requested !== undefined) {
    const found = days.find((d) => d.key >= requested);
    if (found !== undefined) return found;
  }
  return days[0]!;
}

const DAY_MS = 86_400_000;

function dayLabel(env: PageEnv, day: Day): string {
  const name = env.formats.day(dayKeyWall(day.key));
  return day.options.length === 1
    ? env.t('day_one_time', { day: name })
    : env.t('day_times', { day: name, count: day.options.length });
}

/** A month calendar of the selected day's month: days with times are links, the rest plain. */
function calendar(env: PageEnv, days: readonly Day[], selected: Day): SafeHtml {
  const { t, formats } = env;
  const month = selected.key.slice(0, 7);
  const byKey = new Map(days.map((d) => [d.key, d]));
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  const first = Date.UTC(year, monthNumber - 1, 1);
  const length = new Date(Date.UTC(year, monthNumber, 0)).getUTCDate();
  const weekStart = firstDayOfWeek(env.locale.tag) % 7; // 0 = Sunday
  const lead = (new Date(first).getUTCDay() - weekStart + 7) % 7;
  const cells: (number | null)[] = [...Array<null>(lead).fill(null)];
  for (let d = 0; d < length; d++) cells.push(first + d * DAY_MS);
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks: (number | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  const headers = Array.from({ length: 7 }, (_, i) => Date.UTC(2024, 0, 7 + ((weekStart + i) % 7))); // 7 Jan 2024 was a Sunday
  const earlier = days.filter((d) => d.key.slice(0, 7) < month).at(-1);
  const previous =
    earlier === undefined ? undefined : days.find((d) => d.key.slice(0, 7) === earlier.key.slice(0, 7));
  const next = days.find((d) => d.key.slice(0, 7) > month);
  const after = days.find((d) => d.key > selected.key);
  return html`<section class="days" aria-labelledby="days-title">
<h2 id="days-title">${t('days_title')}</h2>
<div class="month-nav">
${previous === undefined ? html`<span></span>` : html`<a class="month-link" href="${pageHref(env, { day: previous.key }, '', true)}" data-nav rel="prev">‹ <span class="visually-hidden">${t('previous_month')}: </span>${formats.month(dayKeyWall(previous.key))}</a>`}
<h3 id="month-title">${formats.month(dayKeyWall(selected.key))}</h3>
${next === undefined ? html`<span></span>` : html`<a class="month-link" href="${pageHref(env, { day: next.key }, '', true)}" data-nav rel="next"><span class="visually-hidden">${t('next_month')}: </span>${formats.month(dayKeyWall(next.key))} ›</a>`}
</div>
<table class="calendar" aria-labelledby="month-title">
<thead><tr>${headers.map((wall) => html`<th scope="col"><abbr title="${formats.weekday(wall, 'long')}">${formats.weekday(wall, 'short')}</abbr></th>`)}</tr></thead>
<tbody>${weeks.map(
    (week) =>
      html`<tr>${week.map((wall) => {
        if (wall === null) return html`<td></td>`;
        const key = new Date(wall).toISOString().slice(0, 10);
        const day = byKey.get(key);
        const number = formats.dayOfMonth(wall);
        if (day === undefined) return html`<td><span class="off">${number}</span></td>`;
        const current = day === selected;
        return html`<td><a class="on${current ? ' selected' : ''}" href="${pageHref(env, { day: key }, '', true)}" data-nav aria-label="${dayLabel(env, day)}"${current ? html` aria-current="date"` : ''}>${number}</a></td>`;
      })}</tr>`,
  )}</tbody>
</table>
${after !== undefined && html`<p class="next-day"><a href="${pageHref(env, { day: after.key }, '', true)}" data-nav>${t('next_available', { day: formats.shortDay(dayKeyWall(after.key)) })} ›</a></p>`}
</section>`;
}

function optionList(env: PageEnv, clock: LocalClock, view: OpenPageView, day: Day): SafeHtml {
  const { t } = env;
  const labels = day.options.map((o) => clock.time(o.label.start));
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  const action = view.selectionMode === 'confirm' ? t('choose') : t('book');
  const starts = day.options.map((o) => o.label.start);
  return html`<fieldset class="options" data-from="${Math.min(...starts)}" data-to="${Math.max(...starts) + 1}">
<legend class="visually-hidden">${t('times_title', { day: env.formats.day(dayKeyWall(day.key)) })}</legend>
${day.options.map((option, i) => {
  const { start, end } = option.label;
  // On a fall-back day a wall time can occur twice: say which is which.
  const label = counts.get(labels[i]!)! > 1 ? `${labels[i]} (${clock.offset(start)})` : labels[i]!;
  const endDay = clock.dayKey(end) !== day.key ? `${clock.shortDay(end)}, ` : '';
  return html`<input type="radio" name="pick" id="o${i}"><label for="o${i}" class="chip"><time datetime="${isoInstant(start)}">${label}</time><small>${t('option_until', { time: `${endDay}${clock.time(end)}` })}</small></label><div class="detail">${itinerary(clock, t, option.steps, { compact: true })}<button name="option" value="${option.key}">${action}</button></div>
`;
})}
</fieldset>`;
}

function timesSection(env: PageEnv, view: OpenPageView, clock: LocalClock): SafeHtml {
  const { t } = env;
  if (view.options.length === 0) {
    return html`<section class="times" id="times" aria-labelledby="times-title" tabindex="-1">
<h2 id="times-title">${t('times_heading')}</h2>
<p class="empty">${t('times_none')}</p>
<div class="notice info dead-end">${contactBlock(env)}</div>
</section>`;
  }
  const days = groupByDay(clock, view.options);
  const selected = selectDay(days, env.query.day);
  return html`${calendar(env, days, selected)}
<section class="times" id="times" aria-labelledby="times-title" tabindex="-1">
<h2 id="times-title">${t('times_title', { day: env.formats.day(dayKeyWall(selected.key)) })}</h2>
<p class="hint">${view.selectionMode === 'confirm' ? t('hint_confirm') : t('hint_no_confirm')}</p>
<form method="post" action="${env.base ?? ''}/choose" class="choose">
${settingsFields(env, view.csrf)}
${optionList(env, clock, view, selected)}
</form>
</section>`;
}

function noneForm(env: PageEnv, csrf: string): SafeHtml {
  const { t } = env;
  return html`<section class="none" id="none" aria-labelledby="none-title" tabindex="-1">
<h2 id="none-title">${t('none_title')}</h2>
<form method="post" action="${env.base ?? ''}/none">
${settingsFields(env, csrf)}
<label for="note">${t('none_note')}</label>
<textarea id="note" name="note" maxlength="1000" rows="3" aria-describedby="note-hint"></textarea>
<p class="hint" id="note-hint">${t('none_note_hint')}</p>
<button type="submit" class="secondary">${t('none_button')}</button>
</form>
</section>`;
}

export function openPage(env: PageEnv, view: OpenPageView): SafeHtml {
  const { t, query } = env;
  const instants = view.options.flatMap((o) => [o.steps[0]!.start, o.steps[o.steps.length - 1]!.end]);
  const clock = new LocalClock(query.tz, instants.length > 0 ? instants : [env.now], env.formats);
  const hasTimes = view.options.length > 0;
  const data: Record<string, string> = {
    tz: query.tz,
    lang: env.locale.language,
    live: `${env.base ?? ''}/live`,
    gone: t('gone'),
    'gone-notice': t('gone_notice'),
    'closed-notice': t('closed_notice'),
  };
  if (view.detectZone) data['tz-detect'] = '1';
  return layout(
    env,
    {
      title: t('title_choose', { event: view.event.summary }),
      data,
      skips: hasTimes
        ? [
            ['#times', t('skip_times')],
            ['#none', t('skip_none')],
          ]
        : [],
    },
    html`${notices(view.notices)}
${eventHeader(env, view.event, t('lead_choose'))}
${stepsSection(env, view.steps)}
${failuresNotice(env, view.failures)}
${settingsForm(env, view.linkZone, clock.offset(env.now))}
<div id="live-status" role="status" class="live-status"></div>
${timesSection(env, view, clock)}
${hasTimes && noneForm(env, view.csrf)}`,
  );
}
