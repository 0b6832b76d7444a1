// rtseq booking page: optional improvements only. Everything works without this file.

(() => {
  const root = document.documentElement;

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

  /**
   * Shows the times in the browser's own zone: fetches the same page with ?tz= and swaps the main
   * content, once, instead of reloading the whole page.
   */
  async function detectZone() {
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
    try {
      const response = await fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' } });
      if (!response.ok) return;
      const next = new DOMParser().parseFromString(await response.text(), 'text/html');
      const main = document.getElementById('main');
      const fresh = next.getElementById('main');
      if (main === null || fresh === null || next.documentElement.dataset.tz !== detected) return;
      main.replaceChildren(...Array.from(fresh.childNodes, (node) => document.importNode(node, true)));
      root.dataset.tz = detected;
      delete root.dataset.tzDetect;
      window.history.replaceState(null, '', url);
      guardSubmits(main);
    } catch {
      // Offline or blocked: the page keeps showing the link's zone, which is still correct.
    }
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
      text.textContent = `Continuing in ${seconds} second${seconds === 1 ? '' : 's'}.`;
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

  // Back/forward cache: a restored page must be usable again, and must not run off on its own.
  window.addEventListener('pageshow', (event) => {
    if (!event.persisted) return;
    for (const form of document.querySelectorAll('form[data-submitted]')) {
      delete form.dataset.submitted;
      form.removeAttribute('aria-busy');
    }
    const box = document.getElementById('countdown');
    if (box !== null) box.hidden = true;
  });

  function start() {
    guardSubmits(document);
    countdown();
    void detectZone();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
