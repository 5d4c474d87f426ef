// The organizer's live control page: keyboard shortcuts, and a fresh button panel whenever the
// event's state changes (from this laptop, a co-organizer's, or a round ending by the clock).

import { isolated } from './text.js';

const SHORTCUTS = { s: ['rescue', 'start'], ' ': ['pause', 'resume'], '+': ['extend'], n: ['skip'] };

function clickFirstEnabled(actions) {
  for (const action of actions) {
    const button = document.querySelector(`button[data-action="${action}"]:not([disabled])`);
    if (button) {
      button.click();
      return true;
    }
  }
  return false;
}

document.addEventListener('keydown', (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.target.closest('input, textarea, select, [contenteditable]')) return;
  const actions = SHORTCUTS[event.key.toLowerCase()];
  if (actions && clickFirstEnabled(actions)) event.preventDefault();
});

// Skipping a turn works once the count-in is over and until the last pitch slot has begun, half
// a second ahead (rounds.services.skip_refusal at CHANGE_LEAD): the clock alone moves it.
const CHANGE_LEAD_MS = 500;

function canSkip(r, pitchMs, now) {
  if (r?.status !== 'running' || now >= r.ends_at || r.turns_at == null || !pitchMs) return false;
  const at = now + CHANGE_LEAD_MS;
  if (at < r.turns_at) return false;
  return r.pitches == null || Math.floor((at - r.turns_at) / pitchMs) < r.pitches;
}

// The state a panel is drawn for, as the server writes it (data-state): the event's status, the
// current round and its status, a running round whose time is up counting as done, the plan
// version (a plan, a re-plan or the rescue round, made from another laptop, changes the buttons)
// and whether a turn can be skipped (the count-in ending and the last slot beginning change it).
function stateKey(state, now) {
  const event = state.event ?? {};
  const r = state.round;
  const status = r?.status === 'running' && now >= r.ends_at ? 'done' : r?.status ?? '';
  const skip = canSkip(r, event.pitch_ms, now) ? 'skip' : '';
  return `${event.status ?? ''}:${r?.number ?? ''}:${status}:${event.plan_version ?? ''}:${skip}`;
}

// What is in the announcement form, unless it is on its way to the server.
let sending = null;
document.addEventListener('submit', (event) => {
  if (event.target.closest?.('.control-announce')) sending = new FormData(event.target).get('text');
});

function typedAnnouncement(panel) {
  const text = panel?.querySelector('.control-announce [name=text]');
  const minutes = panel?.querySelector('.control-announce [name=minutes]');
  if (!text?.value || text.value === sending) return null;
  return { text: text.value, minutes: minutes?.value ?? '', focused: document.activeElement === text };
}

function restoreAnnouncement(panel, typed) {
  const text = panel?.querySelector('.control-announce [name=text]');
  if (!typed || !text || text.value) return;
  text.value = typed.text;
  const minutes = panel.querySelector('.control-announce [name=minutes]');
  if (minutes) minutes.value = typed.minutes;
  if (typed.focused) text.focus();
}

for (const root of document.querySelectorAll('[data-live][data-panel-url]')) {
  let timer = null;
  let pushed = null; // the state key of the latest render
  let asked = null; // the state last refreshed for: one refresh per state, again after 2 s
  const refresh = (always = false) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const panel = root.querySelector('.control-panel');
      if (!panel || !window.htmx || (!always && panel.dataset.state === pushed)) return;
      // An announcement being typed survives the refresh (it was not sent yet).
      const typed = typedAnnouncement(panel);
      window.htmx
        .ajax('GET', root.dataset.panelUrl, { target: `#${panel.id}`, swap: 'outerHTML' })
        .then(() => restoreAnnouncement(root.querySelector('.control-panel'), typed))
        .finally(() => setTimeout(() => { asked = null; }, 2000)); // may ask again, once in 2 s
    }, 150);
  };
  // Refresh only when the panel was drawn for another state than the one now: after the
  // organizer's own click the panel that came back is already right, and swapping it again
  // could swallow the next click. A round that runs out of time is over without any push, so
  // the state is read at every render (live.js renders at least once a second).
  // Someone checked in, left or walked in: the counters (refreshed on every check-in and every
  // 5 s) carry the walk-in banner's condition; when the panel was drawn for the other answer its
  // next step changes (re-plan rather than start), so it is fetched again.
  document.body.addEventListener('htmx:afterSettle', () => {
    const panel = root.querySelector('.control-panel');
    const counters = root.querySelector('.live-status[data-replan-due]');
    if (!panel || !counters || !window.htmx) return;
    if (panel.dataset.replanDue === counters.dataset.replanDue) return;
    if (asked === 'replan') return;
    asked = 'replan';
    refresh(true);
  });
  root.addEventListener('speednet:render', (event) => {
    const { state, now } = event.detail ?? {};
    if (!state) return;
    const key = stateKey(state, now);
    pushed = key;
    const panel = root.querySelector('.control-panel');
    if (panel && panel.dataset.state !== key && asked !== key) {
      asked = key;
      refresh();
    }
  });
}


// A report from an attendee arrives on the control socket (live.js beeps): it is shown at the
// top of the page, newest first, with a link to act on it, and the open count is fetched again.
for (const root of document.querySelectorAll('[data-live][data-conduct-alerts]')) {
  const list = root.querySelector('[data-conduct-alert-list]');
  root.addEventListener('speednet:report', (event) => {
    const report = event.detail ?? {};
    if (!list || typeof report.id !== 'number') return;
    if (list.querySelector(`[data-report-id="${report.id}"]`)) return;
    const item = document.createElement('li');
    item.className = 'conduct-alert';
    item.dataset.reportId = String(report.id);
    item.setAttribute('role', 'alert');
    const link = document.createElement('a');
    link.href = report.url;
    // What it is about in this page's language (the push's label is in the event's).
    const kindKey = { person: 'textReportPerson', someone_else: 'textReportSomeoneElse', event: 'textReportEvent' }[report.kind];
    const kind = (kindKey && root.dataset[kindKey]) || report.kind_label;
    // Names people typed each isolated: an Arabic name does not reorder the line around it.
    const [before, after = ''] = (root.dataset.textReport ?? '%s').split('%s');
    const about = report.about ? [': ', isolated(report.about)] : [];
    link.append(before, kind, ...about, ' (', isolated(report.reporter), ')', after);
    item.append(link);
    if (report.message) {
      const message = document.createElement('p');
      message.dir = 'auto';
      message.textContent = report.message;
      item.append(message);
    }
    list.prepend(item);
    const count = root.querySelector('[data-conduct-count]');
    if (count && window.htmx) {
      window.htmx.ajax('GET', root.dataset.conductAlerts, { target: count, swap: 'innerHTML' });
    }
  });
}

// Someone was checked in, undone, left or walked in (at the door, the attendee list or the join
// page): the counters, the log and the walk-in banner are fetched again at once (their htmx
// trigger listens on the body); a burst of check-ins makes one request.
for (const root of document.querySelectorAll('[data-live]')) {
  let timer = null;
  root.addEventListener('speednet:counters', () => {
    clearTimeout(timer);
    timer = setTimeout(() => window.htmx?.trigger(document.body, 'speednet-counters'), 100);
  });
}
