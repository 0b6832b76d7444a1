// rtseq booking page: optional improvements only. Everything works without this script.
// - days, months, zone, language and clock change in place (navigate.js: fetch the same page,
//   swap <main>);
// - the time-zone list can be searched, and applies on change; the browser's own zone is
//   detected once (settings.js);
// - while the page is open, times that stop being available are marked (live.js);
// - after booking, a short countdown to the organiser's page that the invitee can stop (page.js).
// web/assets.ts serves these files as one script (app.{hash}.js), this one last.
import { startPolling } from './live.js';
import { onSwap } from './navigate.js';
import { countdown, enhanceDays, enhanceSkips, guardSubmits } from './page.js';
import { detectZone, enhanceSettings } from './settings.js';

function enhance(scope) {
  guardSubmits(scope);
  enhanceSettings(scope);
  enhanceDays(scope);
  startPolling();
}

onSwap((main) => {
  enhanceSkips();
  enhance(main);
});

function start() {
  enhance(document);
  enhanceSkips();
  countdown();
  detectZone();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
