// What every page gets: one submit per form, day links in place, skip links that move the focus,
// and after booking the countdown to the organiser's page.
import { navigate } from './navigate.js';

/** Ignores a second submit of the same form while the first is on its way (double clicks). */
export function guardSubmits(scope) {
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

/** Day and month links load in place (plain links without script). */
export function enhanceDays(scope) {
  for (const link of scope.querySelectorAll('a[data-nav]')) {
    link.addEventListener('click', (event) => {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      void navigate(link.href, { focus: 'times' });
    });
  }
}

/**
 * Skip links move the keyboard focus itself, not only the scroll position. The focus moves after
 * the browser's own jump, and only if nothing has taken it since: a visitor who is already
 * tabbing on must not be pulled back.
 */
export function enhanceSkips() {
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

/** After booking: go on to the organiser's page after a short countdown the invitee can stop. */
export function countdown() {
  const root = document.documentElement;
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
