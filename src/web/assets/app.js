// rtseq booking page: optional improvements only. Everything works without this file.
// - days, months, zone, language and clock change in place (fetch the same page, swap <main>);
// - the time-zone list can be searched, and applies on change;
// - the browser's own zone is detected once;
// - while the page is open, times that stop being available are marked (a light poll of the
//   shared page state, every few seconds while the page is visible);
// - after booking, a short countdown to the organiser's page that the invitee can stop.

(() => {
  const root = document.documentElement;
  const POLL_MS = 4000;
  let pollTimer = 0;
  // Set by the visitor's first key press, pointer press or input: the zone detection then leaves
  // the page as it is rather than swap the content (and the focus) out from under them.
  let interacted = false;
  for (const type of ['keydown', 'pointerdown', 'input']) {
    document.addEventListener(
      type,
      () => {
        interacted = true;
      },
      { capture: true, once: true },
    );
  }

  /** Ignores a second submit of the same form while the first is on its way (double clicks). */
  function guardSubmits(scope) {
    for (const form of scope.querySelectorAll('form[method="post"]')) {
      form.addEventListener('submit', (event) => {
        if (form.dataset.submitted === '1') {
          event.preventDefault();
          return;
        }
        form.dataset.submitted = '1';
        form.setAttribute('aria-busy', 'true');
      });
    }
  }

  /** Fetches a page of this link and swaps its <main> (and language, title, data) in. */
  async function navigate(href, options = {}) {
    const url = new URL(href, window.location.href);
    let response;
    try {
      response = await fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } });
    } catch {
      window.location.assign(url);
      return false;
    }
    if (!response.ok) {
      window.location.assign(url);
      return false;
    }
    const text = await response.text();
    if (options.unlessInteracted === true && interacted) return false;
    const next = new DOMParser().parseFromString(text, 'text/html');
    const main = document.getElementById('main');
    const fresh = next.getElementById('main');
    if (main === null || fresh === null) {
      window.location.assign(url);
      return false;
    }
    main.replaceChildren(...Array.from(fresh.childNodes, (node) => document.importNode(node, true)));
    for (const name of Object.keys(root.dataset)) delete root.dataset[name];
    Object.assign(root.dataset, next.documentElement.dataset);
    root.lang = next.documentElement.lang;
    document.title = next.title;
    for (const selector of ['.skips', '.site-footer']) {
      const mine = document.querySelector(selector);
      const theirs = next.querySelector(selector);
      if (mine !== null && theirs !== null) mine.replaceWith(document.importNode(theirs, true));
    }
    enhanceSkips();
    if (options.replace === true) window.history.replaceState(null, '', url);
    else window.history.pushState(null, '', url);
    shownUrl = withoutHash(window.location.href);
    enhance(main);
    if (options.focus !== undefined) document.getElementById(options.focus)?.focus();
    return true;
  }

  /** The settings form applies each change at once; the zone list gets a search box. */
  function enhanceSettings(scope) {
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
    const box = form.querySelector('.zone-search');
    const search = form.querySelector('#tz-search');
    const select = form.querySelector('#tz');
    const none = form.querySelector('#tz-none');
    if (box === null || search === null || select === null) return;
    box.hidden = false;
    const fold = (s) =>
      s
        .toLowerCase()
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .replaceAll('_', ' ');
    const index = () =>
      Array.from(select.options, (o) => ({ option: o, text: fold(`${o.textContent} ${o.value}`) }));
    let all = index();
    let loaded = false;
    /** The page lists about thirty zones; searching loads every one (once). */
    async function loadAll() {
      if (loaded) return;
      loaded = true;
      const url = new URL('/book/zones.json', window.location.href);
      url.searchParams.set('lang', root.dataset.lang ?? 'en');
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

  /** Day and month links load in place (plain links without script). */
  function enhanceDays(scope) {
    for (const link of scope.querySelectorAll('a[data-nav]')) {
      link.addEventListener('click', (event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        void navigate(link.href, { focus: 'times' });
      });
    }
  }

  /**
   * Shows the times in the browser's own zone (once, when the URL names none), unless the visitor
   * has already started using the page in the link's zone (the zone is named on the page).
   */
  function detectZone() {
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

  /** Marks the options on screen that are no longer offered; stops when the link closes. */
  async function poll() {
    pollTimer = 0;
    const list = document.querySelector('fieldset.options');
    const live = root.dataset.live;
    if (list === null || live === undefined) return;
    if (document.visibilityState === 'visible') {
      const url = new URL(live, window.location.href);
      url.searchParams.set('from', list.dataset.from ?? '0');
      url.searchParams.set('to', list.dataset.to ?? '0');
      try {
        const response = await fetch(url, {
          credentials: 'same-origin',
          headers: { accept: 'application/json' },
        });
        if (response.ok) {
          const state = await response.json();
          if (state.status !== 'open') return closed();
          markGone(list, new Set(state.keys));
        }
      } catch {
        // Offline for a moment: try again at the next tick.
      }
    }
    pollTimer = window.setTimeout(poll, POLL_MS);
  }

  function announce(text) {
    const status = document.getElementById('live-status');
    if (status !== null && status.textContent !== text) status.textContent = text;
  }

  function markGone(list, offered) {
    let changed = false;
    for (const button of list.querySelectorAll('.detail button[name="option"]')) {
      if (offered.has(button.value)) continue;
      const detail = button.closest('.detail');
      const label = detail?.previousElementSibling;
      const input = label?.previousElementSibling;
      if (detail == null || label == null || input == null) continue;
      input.disabled = true;
      input.checked = false;
      label.classList.add('gone');
      const note = document.createElement('span');
      note.className = 'gone-note';
      note.textContent = root.dataset.gone ?? '';
      label.append(note);
      detail.remove();
      changed = true;
    }
    if (changed) announce(root.dataset.goneNotice ?? '');
  }

  function closed() {
    for (const input of document.querySelectorAll('fieldset.options input, fieldset.options button'))
      input.disabled = true;
    announce(root.dataset.closedNotice ?? '');
  }

  function startPolling() {
    if (pollTimer !== 0) window.clearTimeout(pollTimer);
    pollTimer = window.setTimeout(poll, POLL_MS);
  }

  /** After booking: go on to the organiser's page after a short countdown the invitee can stop. */
  function countdown() {
    if (root.dataset.page !== 'completed') return;
    const link = document.getElementById('continue');
    const box = document.getElementById('countdown');
    const text = document.getElementById('countdown-text');
    const stay = document.getElementById('stay');
    if (link === null || box === null || text === null || stay === null) return;
    let seconds = 5;
    const show = () => {
      text.textContent = (root.dataset.countdown ?? '{seconds}').replace('{seconds}', String(seconds));
    };
    show();
    box.hidden = false;
    const timer = window.setInterval(() => {
      seconds -= 1;
      if (seconds <= 0) {
        window.clearInterval(timer);
        window.location.assign(link.href);
        return;
      }
      show();
    }, 1000);
    stay.addEventListener('click', () => {
      window.clearInterval(timer);
      box.hidden = true;
      link.focus();
    });
  }

  /**
   * Skip links move the keyboard focus itself, not only the scroll position. The focus moves after
   * the browser's own jump, and only if nothing has taken it since: a visitor who is already
   * tabbing on must not be pulled back.
   */
  function enhanceSkips() {
    for (const link of document.querySelectorAll('a.skip')) {
      link.addEventListener('click', () => {
        const target = document.getElementById(link.hash.slice(1));
        if (target === null) return;
        window.setTimeout(() => {
          const now = document.activeElement;
          if (now === link || now === null || now === document.body) target.focus();
        }, 0);
      });
    }
  }

  function enhance(scope) {
    guardSubmits(scope);
    enhanceSettings(scope);
    enhanceDays(scope);
    startPolling();
  }

  // Back/forward: a restored page must be usable again, and must not run off on its own.
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    for (const form of document.querySelectorAll('form[data-submitted]')) {
      delete form.dataset.submitted;
      form.removeAttribute('aria-busy');
    }
    const box = document.getElementById('countdown');
    if (box !== null) box.hidden = true;
  });
  // Back and forward between days: load the day in place (fragment jumps such as the skip links
  // also fire popstate, and must not reload anything).
  const withoutHash = (href) => href.split('#')[0];
  let shownUrl = withoutHash(window.location.href);
  window.addEventListener('popstate', () => {
    const now = withoutHash(window.location.href);
    if (now === shownUrl) return;
    shownUrl = now;
    void navigate(window.location.href, { replace: true });
  });

  function start() {
    enhance(document);
    enhanceSkips();
    countdown();
    detectZone();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
