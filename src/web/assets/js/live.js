// While the page is open, times that stop being available are marked: a light poll of the shared
// page state, every few seconds while the page is visible; it stops when the link closes.

const POLL_MS = 4000;
let pollTimer = 0;

/** Marks the options on screen that are no longer offered; stops when the link closes. */
async function poll() {
  pollTimer = 0;
  const list = document.querySelector('fieldset.options');
  const live = document.documentElement.dataset.live;
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
  const { dataset } = document.documentElement;
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
    note.textContent = dataset.gone ?? '';
    label.append(note);
    detail.remove();
    changed = true;
  }
  if (changed) announce(dataset.goneNotice ?? '');
}

function closed() {
  for (const input of document.querySelectorAll('fieldset.options input, fieldset.options button'))
    input.disabled = true;
  announce(document.documentElement.dataset.closedNotice ?? '');
}

/** (Re)starts the poll for the options now on the page. */
export function startPolling() {
  if (pollTimer !== 0) window.clearTimeout(pollTimer);
  pollTimer = window.setTimeout(poll, POLL_MS);
}
