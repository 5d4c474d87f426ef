// The projector: shows the current pitch slot, pages through "find your table" in a large room,
// and reloads the seating list when the round changes. live.js runs the clock.

const PAGE_SECONDS = 8;

/** Split `count` rows into pages of at most `perPage`; returns [start, end) pairs. */
export function pages(count, perPage) {
  const result = [];
  for (let start = 0; start < count; start += perPage) result.push([start, Math.min(count, start + perPage)]);
  return result.length ? result : [[0, 0]];
}

function startPaging(section) {
  const list = section.querySelector('[data-find-list]');
  const label = section.querySelector('[data-find-page]');
  if (!list) return () => {};
  const rows = [...list.children];
  let page = 0;
  let timer = null;
  const show = () => {
    for (const row of rows) row.hidden = false;
    // How many rows fit: one row's height against the height the list is given on screen.
    const rowHeight = rows[0]?.getBoundingClientRect().height || 40;
    const perPage = Math.max(1, Math.floor(list.clientHeight / rowHeight));
    const all = pages(rows.length, perPage);
    page %= all.length;
    const [start, end] = all[page];
    rows.forEach((row, i) => { row.hidden = i < start || i >= end; });
    if (label) label.textContent = all.length > 1 ? `${page + 1} / ${all.length}` : '';
    page += 1;
  };
  show();
  timer = setInterval(show, PAGE_SECONDS * 1000);
  return () => clearInterval(timer);
}

for (const root of document.querySelectorAll('.screen[data-live]')) {
  let stopPaging = startPaging(root.querySelector('[data-find-table]'));
  let seenRound = null;
  const turnLabel = root.querySelector('[data-turn-label]');
  setInterval(() => {
    const turn = root.dataset.turn;
    const text = turn !== undefined && root.dataset.phase === 'running'
      ? (root.dataset.textPitch || 'Pitch %s').replace('%s', Number(turn) + 1) : '';
    if (turnLabel && turnLabel.textContent !== text) turnLabel.textContent = text;
  }, 250);
  root.addEventListener('speednet:state', async (event) => {
    const round = event.detail?.round;
    const key = `${round?.number}:${round?.status}`;
    if (seenRound === null) { seenRound = key; return; }
    if (key === seenRound) return;
    seenRound = key;
    const response = await fetch(location.href).catch(() => null);
    if (!response?.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const fresh = page.querySelector('[data-find-table]');
    const current = root.querySelector('[data-find-table]');
    if (fresh && current) {
      stopPaging();
      current.replaceWith(fresh);
      stopPaging = startPaging(fresh);
    }
  });
}
