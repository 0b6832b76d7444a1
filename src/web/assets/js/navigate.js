// Loads another page of this link in place: fetches it and swaps <main> (and the language, title
// and data attributes) in; back and forward between days do the same.

const root = document.documentElement;

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

/** What runs on the swapped-in content (set once by app.js: the same as on the first load). */
let afterSwap = (_main) => {};
export function onSwap(enhance) {
  afterSwap = enhance;
}

const withoutHash = (href) => href.split('#')[0];
let shownUrl = withoutHash(window.location.href);

/** Fetches a page of this link and swaps its <main> (and language, title, data) in. */
export async function navigate(href, options = {}) {
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
  if (options.replace === true) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  shownUrl = withoutHash(window.location.href);
  afterSwap(main);
  if (options.focus !== undefined) document.getElementById(options.focus)?.focus();
  return true;
}

// Back and forward between days: load the day in place (fragment jumps such as the skip links
// also fire popstate, and must not reload anything).
window.addEventListener('popstate', () => {
  const now = withoutHash(window.location.href);
  if (now === shownUrl) return;
  shownUrl = now;
  void navigate(window.location.href, { replace: true });
});
