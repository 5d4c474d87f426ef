// The projector: the stage for now (now.js: check-in, count-in, the round and pitch clocks,
// between rounds, mingle, thank you), paging through "find your table" in a large room, and a
// fresh seating list (htmx) when the round it is about changes. live.js runs the socket and clock.

import { formatClock } from './live.js';
import { readJson, screenFor } from './now.js';
import { fill } from './text.js';

const PAGE_SECONDS = 8;

/** Split `count` rows into pages of at most `perPage`; returns [start, end) pairs. */
export function pages(count, perPage) {
  const result = [];
  for (let start = 0; start < count; start += perPage) result.push([start, Math.min(count, start + perPage)]);
  return result.length ? result : [[0, 0]];
}

function startPaging(section) {
  const list = section?.querySelector('[data-find-list]');
  const label = section?.querySelector('[data-find-page]');
  if (!list) return () => {};
  const rows = [...list.children];
  let page = 0;
  const show = () => {
    for (const row of rows) row.hidden = false;
    // How many names fit: rows (one row's height against the list's height) × columns.
    const rowHeight = rows[0]?.getBoundingClientRect().height || 40;
    const columns = getComputedStyle(list).gridTemplateColumns.split(' ').filter(Boolean).length || 1;
    const perPage = Math.max(1, Math.floor(list.clientHeight / rowHeight) * columns);
    const all = pages(rows.length, perPage);
    page %= all.length;
    const [start, end] = all[page];
    rows.forEach((row, i) => {
      row.hidden = i < start || i >= end;
    });
    if (label) label.textContent = all.length > 1 ? `${page + 1} / ${all.length}` : '';
    page += 1;
  };
  show();
  const timer = setInterval(show, PAGE_SECONDS * 1000);
  return () => clearInterval(timer);
}

function startScreen(root) {
  const texts = readJson(root.dataset.texts, {});
  let stopPaging = startPaging(root.querySelector('[data-find-table]'));
  const put = (sel, text) => {
    const el = root.querySelector(sel);
    if (el && el.textContent !== text) el.textContent = text;
  };

  async function refreshSeating() {
    if (!window.htmx) return;
    stopPaging();
    await window.htmx
      .ajax('GET', root.dataset.findUrl, { target: '[data-find-table]', swap: 'outerHTML' })
      .catch(() => {});
    stopPaging = startPaging(root.querySelector('[data-find-table]'));
  }

  root.addEventListener('speednet:render', (event) => {
    const { state, now } = event.detail ?? {};
    const screen = screenFor(state, now);
    root.dataset.screen = screen.kind;
    const values = { round: screen.round ?? '', count: screen.roundsCount ?? '' };
    put('[data-screen-text]', fill(texts[screen.kind] ?? '', values));
    let turn = '';
    const outOfStep = Object.keys(state?.round?.turn_shifts ?? {}).length > 0;
    if (screen.pitch && outOfStep) {
      // A table whose pitcher left mid-slot speaks on its own turn clock (docs/protocol.md,
      // `turn_shifts`): one pitch number and countdown would be false there.
      turn = texts.pitches_at_tables ?? '';
    } else if (screen.pitch) {
      // No count: a smaller table has fewer pitches than the largest one.
      turn = fill(texts.pitch_of, {
        index: screen.pitch.index + 1,
        clock: formatClock(screen.pitch.leftMs),
      });
    } else if (screen.kind === 'running') {
      turn = texts.open_talk ?? '';
    }
    put('[data-turn-label]', turn);
  });

  // The seating list follows the round the screen is about (also a round that ran out of time
  // with nobody pressing End), and every full state: a (re)connect, a plan made or re-made.
  // Once the rounds are over (the last one done, mingle, the close) no one is looking for a
  // table: the names leave the page at once, and the server's list (none) replaces it.
  let listFor = root.querySelector('[data-find-table]')?.dataset.round ?? '';
  let askedAt = 0;
  root.addEventListener('speednet:render', (event) => {
    const { state, now } = event.detail ?? {};
    if (!state) return;
    const screen = screenFor(state, now);
    if (['last_over', 'mingle', 'closed'].includes(screen.kind)) {
      const list = root.querySelector('[data-find-list]');
      if (!list) return;
      stopPaging();
      list.remove();
      root.querySelector('[data-find-page]')?.remove();
      if (Date.now() - askedAt > 3000) {
        askedAt = Date.now();
        refreshSeating().then(() => {
          listFor = root.querySelector('[data-find-table]')?.dataset.round ?? '';
        });
      }
      return;
    }
    if (!['check_in', 'starting', 'running', 'paused', 'between'].includes(screen.kind)) return;
    const wanted = String(screen.round ?? '');
    if (wanted !== listFor && Date.now() - askedAt > 3000) {
      askedAt = Date.now();
      refreshSeating().then(() => {
        listFor = root.querySelector('[data-find-table]')?.dataset.round ?? '';
      });
    }
  });
  // Someone in the list deleted their data (`person`, docs/protocol.md): the server's list
  // leaves them out, at once. A projector that missed it sees the new
  // version at its next snapshot (below).
  root.addEventListener('speednet:person', (event) => {
    if (event.detail?.erased) refreshSeating();
  });
  let seen = readJson(root.dataset.liveState, null)?.version ?? null;
  root.addEventListener('speednet:snapshot', (event) => {
    const version = event.detail?.version;
    if (version !== seen) refreshSeating();
    seen = version;
  });

  // "N people checked in": fetched again at once when who is here changes (`people`,
  // docs/protocol.md: a check-in, its undo, someone marked gone, removed or erased) and at
  // every (re)connect (a projector away missed those pushes); its own 15 s poll is the
  // fallback. A rush at the door is one fetch at a time, and one more for what came meanwhile.
  let peopleBusy = false;
  let peopleAgain = false;
  async function refreshPeople() {
    if (!window.htmx || !root.querySelector('[data-people]')) return;
    if (peopleBusy) {
      peopleAgain = true;
      return;
    }
    peopleBusy = true;
    try {
      do {
        peopleAgain = false;
        await window.htmx
          .ajax('GET', root.querySelector('[data-people]').getAttribute('hx-get'), {
            target: '[data-people]',
            swap: 'outerHTML',
          })
          .catch(() => {});
      } while (peopleAgain);
    } finally {
      peopleBusy = false;
    }
  }
  root.addEventListener('speednet:people', refreshPeople);
  root.addEventListener('speednet:snapshot', refreshPeople);
}

for (const root of document.querySelectorAll('.screen[data-live]')) startScreen(root);
