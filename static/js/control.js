// The organizer's live control page: keyboard shortcuts, and a fresh button panel whenever the
// event's state changes (from this laptop, a co-organizer's, or a round ending by the clock).

const SHORTCUTS = { s: ['start'], ' ': ['pause', 'resume'], '+': ['extend'], n: ['skip'] };

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
  let pushed = null; // the state key of the latest push
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const panel = root.querySelector('.control-panel');
      if (!panel || !window.htmx || panel.dataset.state === pushed) return;
      // An announcement being typed survives the refresh (it was not sent yet).
      const typed = typedAnnouncement(panel);
      window.htmx
        .ajax('GET', root.dataset.panelUrl, { target: `#${panel.id}`, swap: 'outerHTML' })
        .then(() => restoreAnnouncement(root.querySelector('.control-panel'), typed));
    }, 150);
  };
  // Refresh only when the panel was drawn for another state than the one pushed: after the
  // organizer's own click the panel that came back is already right, and swapping it again
  // could swallow the next click.
  root.addEventListener('speednet:state', (event) => {
    const state = event.detail;
    const key = `${state?.event?.status ?? ''}:${state?.round?.number ?? ''}:${state?.round?.status ?? ''}`;
    pushed = key;
    const panel = root.querySelector('.control-panel');
    if (panel && panel.dataset.state !== key) refresh();
  });
}

