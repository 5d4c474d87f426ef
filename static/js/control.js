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

for (const root of document.querySelectorAll('[data-live][data-panel-url]')) {
  let timer = null;
  let lastKey = null; // the page was rendered with the current state: no refresh for the first
  const refresh = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const panel = root.querySelector('.control-panel');
      if (panel && window.htmx) {
        window.htmx.ajax('GET', root.dataset.panelUrl, { target: `#${panel.id}`, swap: 'outerHTML' });
      }
    }, 150);
  };
  root.addEventListener('speednet:state', (event) => {
    const state = event.detail;
    const key = JSON.stringify([state?.event?.status, state?.round?.number, state?.round?.status]);
    if (lastKey !== null && key !== lastKey) refresh();
    lastKey = key;
  });
}

// The announcement being typed survives the panel's refreshes (hx-preserve); once it went out,
// the box is emptied for the next one.
document.addEventListener('htmx:afterSwap', (event) => {
  const form = event.detail?.requestConfig?.elt?.closest?.('.control-announce');
  if (!form) return;
  const panel = document.querySelector('.control-panel');
  if (panel && !panel.querySelector('.notice-error')) {
    const text = document.querySelector('.control-announce [name=text]');
    if (text) text.value = '';
  }
});
