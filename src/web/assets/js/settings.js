// The display settings (zone, language, clock) apply each change at once; the zone list can be
// searched; the browser's own zone is detected once.
import { navigate } from './navigate.js';

/** The settings form applies each change at once; the zone list gets a search box. */
export function enhanceSettings(scope) {
  const form = scope.querySelector('form.settings');
  if (form === null) return;
  const apply = form.querySelector('.apply');
  if (apply !== null) apply.hidden = true;
  const go = (focusId) => {
    const url = new URL(form.action, window.location.href);
    for (const [name, value] of new FormData(form)) url.searchParams.set(name, String(value));
    void navigate(url, { focus: focusId });
  };
  for (const select of form.querySelectorAll('select'))
    select.addEventListener('change', () => go(select.id));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go('tz');
  });
  enhanceZoneSearch(form, go);
}

const fold = (s) =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replaceAll('_', ' ');

/** The search box over the zone list; Enter picks the first zone shown. */
function enhanceZoneSearch(form, go) {
  const box = form.querySelector('.zone-search');
  const search = form.querySelector('#tz-search');
  const select = form.querySelector('#tz');
  const none = form.querySelector('#tz-none');
  if (box === null || search === null || select === null) return;
  box.hidden = false;
  const index = () =>
    Array.from(select.options, (o) => ({ option: o, text: fold(`${o.textContent} ${o.value}`) }));
  let all = index();
  let loaded = false;
  /** The page lists about thirty zones; searching loads every one (once). */
  async function loadAll() {
    if (loaded) return;
    loaded = true;
    const url = new URL('/book/zones.json', window.location.href);
    url.searchParams.set('lang', document.documentElement.dataset.lang ?? 'en');
    url.searchParams.set('hf', form.querySelector('#hf')?.value ?? '');
    try {
      const response = await fetch(url, { headers: { accept: 'application/json' } });
      if (!response.ok) return;
      const { zones } = await response.json();
      const current = select.value;
      const options = zones.map(([id, label]) => new Option(label, id, false, id === current));
      if (!zones.some(([id]) => id === current)) return;
      select.replaceChildren(...options);
      all = index();
      filter();
    } catch {
      // The short list still works.
    }
  }
  function filter() {
    const words = fold(search.value).split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const { option, text } of all) {
      const match = words.every((w) => text.includes(w));
      option.hidden = !match;
      option.disabled = !match;
      if (match) shown += 1;
    }
    if (none !== null) none.hidden = shown > 0;
    select.size = words.length > 0 ? Math.min(Math.max(shown, 2), 8) : 0;
  }
  search.addEventListener('focus', () => void loadAll());
  search.addEventListener('input', () => {
    filter();
    void loadAll();
  });
  search.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const first = all.find((entry) => !entry.option.hidden);
    if (first === undefined) return;
    select.value = first.option.value;
    go('tz');
  });
}

/**
 * Shows the times in the browser's own zone (once, when the URL names none), unless the visitor
 * has already started using the page in the link's zone (the zone is named on the page).
 */
export function detectZone() {
  const root = document.documentElement;
  if (root.dataset.tzDetect !== '1') return;
  let detected;
  try {
    detected = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return;
  }
  if (typeof detected !== 'string' || detected === '' || detected === root.dataset.tz) return;
  const url = new URL(window.location.href);
  url.searchParams.set('tz', detected);
  void navigate(url, { replace: true, unlessInteracted: true });
}
