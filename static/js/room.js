// The attendee's room page: which round to show, one-tap cards that survive flaky Wi-Fi, the
// live feed of cards received, and a fresh itinerary when the organizer re-plans.
// live.js runs the socket and the clock and tells this module through speednet:* events.
// A tap goes over the socket when it is open (answered by a card_ack), over HTTP otherwise; it
// stays in the outbox until one of them answers, and its client id makes every resend harmless.

import { start } from './live.js';

const OUTBOX_RETRY_MS = 3000;
const ACK_TIMEOUT_MS = 8000;

/** A random id for one tap, so a repeated submission is recognised by the server. */
export function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Which itinerary stop to show: the current round while it runs, the next one between rounds,
 * all of them before the first round and after the last.
 * @returns {number|null} a round number, or null for "all"
 */
export function stopToShow(phase, round, roundsCount) {
  if (['starting', 'running', 'paused'].includes(phase)) return round;
  if (phase === 'between' && round < roundsCount) return round + 1;
  return null;
}

function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute('hx-headers') || '{}')['x-csrftoken'] || '';
  } catch {
    return '';
  }
}

export function startRoom(root) {
  const live = root.matches('[data-live]') ? start(root) : null;
  const outboxKey = `speednet:outbox:${root.dataset.token}`;
  const errorBox = root.querySelector('[data-card-error]');
  let flushing = false;
  let retryTimer = null;

  const load = () => {
    try {
      return JSON.parse(localStorage.getItem(outboxKey) || '[]');
    } catch {
      return [];
    }
  };
  const save = (items) => localStorage.setItem(outboxKey, JSON.stringify(items));
  const buttonFor = (item) =>
    root.querySelector(
      `.stop[data-round-number="${item.round}"] [data-card-kind="${item.kind}"][data-receiver="${item.receiver}"]`,
    );

  function showError(text) {
    if (!errorBox) return;
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  function mark(item, pending) {
    const button = buttonFor(item);
    if (!button) return;
    button.setAttribute('aria-pressed', item.action === 'give' ? 'true' : 'false');
    button.dataset.clientId = item.action === 'give' ? item.client_id : '';
    if (pending) button.dataset.pending = 'true';
    else delete button.dataset.pending;
  }

  // Answers awaited from the socket, by action and client id: resolve(ack), or resolve(null) to
  // keep the tap for later (no answer in time, or the socket dropped).
  const awaiting = new Map();
  const ackKey = (m) => `${m.action}:${m.client_id}`;

  function overSocket(item) {
    return new Promise((resolve) => {
      const key = ackKey(item);
      const timer = setTimeout(() => awaiting.delete(key) && resolve(null), ACK_TIMEOUT_MS);
      awaiting.set(key, (ack) => {
        clearTimeout(timer);
        awaiting.delete(key);
        resolve(ack);
      });
      live.send({ type: 'card', ...item });
    });
  }

  /** The server's answer {ok, error}, or null when the tap must wait (offline, server busy). */
  async function overHttp(item) {
    let response;
    try {
      response = await fetch(root.dataset.cardUrl, {
        method: 'POST',
        headers: { 'X-CSRFToken': csrfToken() },
        body: new URLSearchParams(item),
        credentials: 'same-origin',
      });
    } catch {
      return null;
    }
    if (response.status >= 500 || response.status === 429 || response.status === 403) return null;
    const body = response.ok ? {} : await response.json().catch(() => ({}));
    return { ok: response.ok, error: body.error || '' };
  }

  async function flush() {
    if (flushing) return;
    flushing = true;
    clearTimeout(retryTimer);
    try {
      for (let items = load(); items.length; items = load()) {
        const item = items[0];
        const answer = live?.isOpen() ? await overSocket(item) : await overHttp(item);
        if (!answer) {
          retryTimer = setTimeout(flush, OUTBOX_RETRY_MS);
          return; // keep the tap, try again later
        }
        save(load().filter((queued) => queued.client_id !== item.client_id || queued.action !== item.action));
        if (answer.ok) {
          showError('');
          if (!load().some((q) => q.receiver === item.receiver && q.kind === item.kind)) mark(item, false);
        } else {
          showError(answer.error || '');
          mark({ ...item, action: item.action === 'give' ? 'take_back' : 'give' }, false);
        }
      }
    } finally {
      flushing = false;
    }
  }

  function tap(item) {
    save([...load(), item]);
    mark(item, true);
    flush();
  }

  root.addEventListener('click', (event) => {
    const button = event.target.closest('[data-card-kind]');
    if (!button || !root.contains(button)) return;
    const base = { receiver: button.dataset.receiver, round: button.dataset.round, kind: button.dataset.cardKind };
    if (button.getAttribute('aria-pressed') === 'true') {
      tap({ ...base, action: 'take_back', client_id: button.dataset.clientId, note: '' });
      return;
    }
    if (base.kind === 'introduce') {
      const form = document.getElementById(button.getAttribute('aria-controls'));
      if (form) {
        form.hidden = false;
        button.setAttribute('aria-expanded', 'true');
        form.querySelector('input')?.focus();
        return;
      }
    }
    tap({ ...base, action: 'give', client_id: newClientId(), note: '' });
  });

  root.addEventListener('submit', (event) => {
    const form = event.target.closest('[data-card-note]');
    if (!form) return;
    event.preventDefault();
    const button = root.querySelector(`[aria-controls="${form.id}"]`);
    form.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    const note = new FormData(form).get('note') || '';
    tap({
      action: 'give',
      client_id: newClientId(),
      receiver: button.dataset.receiver,
      round: button.dataset.round,
      kind: 'introduce',
      note,
    });
    form.reset();
  });

  function showStops() {
    const phase = root.dataset.phase;
    const round = Number(root.dataset.round || 0);
    const count = Number(root.querySelector('[data-live-rounds-count]')?.textContent || 0);
    const shown = stopToShow(phase, round, count);
    for (const stop of root.querySelectorAll('.stop')) {
      stop.hidden = shown !== null && Number(stop.dataset.roundNumber) !== shown;
    }
    const moveTo = root.querySelector('[data-move-to]');
    const next = shown && root.querySelector(`.stop[data-round-number="${shown}"]`);
    if (moveTo) {
      moveTo.hidden = !(phase === 'between' && next);
      if (next) moveTo.textContent = (root.dataset.textMoveTo || 'Move to table %s').replace('%s', next.dataset.tableNumber);
    }
  }

  function addCard(detail) {
    const feed = root.querySelector('[data-card-feed]');
    if (!feed || !detail?.card) return;
    const { card } = detail;
    const labels = { see_me: root.dataset.textSeeMe || 'See me', introduce: root.dataset.textIntroduce || 'I can introduce you to someone' };
    feed.querySelector('[data-empty]')?.remove();
    const id = `card-${card.id}-feed`;
    document.getElementById(id)?.remove();
    if (!card.is_given) return;
    const line = document.createElement('li');
    line.id = id;
    line.textContent = `${card.giver.name}: ${labels[card.kind]}${card.note ? ` (${card.note})` : ''}`;
    feed.prepend(line);
  }

  async function refreshItinerary() {
    const response = await fetch(location.href, { credentials: 'same-origin' }).catch(() => null);
    if (!response?.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const fresh = page.querySelector('[data-itinerary]');
    const current = root.querySelector('[data-itinerary]');
    if (fresh && current) current.innerHTML = fresh.innerHTML;
    for (const item of load()) mark(item, true);
    showStops();
  }

  root.addEventListener('speednet:state', showStops);
  root.addEventListener('speednet:card', (event) => addCard(event.detail));
  root.addEventListener('speednet:plan', refreshItinerary);
  root.addEventListener('speednet:card_ack', (event) => awaiting.get(ackKey(event.detail))?.(event.detail));
  root.addEventListener('speednet:connection', (event) => {
    if (event.detail?.status === 'open') flush();
    else for (const resolve of [...awaiting.values()]) resolve(null);
  });
  window.addEventListener('online', flush);
  for (const item of load()) mark(item, true);
  showStops();
  flush();
}

for (const root of document.querySelectorAll('.room[data-card-url]')) startRoom(root);
