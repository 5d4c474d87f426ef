// The attendee's room page: the one instruction for now (now.js) at the top, the stop it is
// about, one-tap cards that survive flaky Wi-Fi, a card arriving shown for a moment, the
// itinerary redrawn from a re-plan's push (no page load), and fresh fragments (htmx) when a card
// arrives.
// live.js runs the socket and the clock and tells this module through speednet:* events.
// A tap goes over the socket when it is open (answered by a card_ack), over HTTP otherwise; it
// stays in the outbox until one of them answers, and its client id makes every resend harmless.

import { formatClock, start } from './live.js';
import { hasSeatingAhead, instructionFor, pitchPromptFor, readItinerary, readJson } from './now.js';
import { fill, fillInto, graphemes } from './text.js';

const OUTBOX_RETRY_MS = 3000;
const ACK_TIMEOUT_MS = 8000;
const TOAST_MS = 6000;
// A second tap on the same card button this soon is the same tap (a habitual double tap): it
// must not take back the card the first one gave.
const DOUBLE_TAP_MS = 500;
// An introduction given from a round's stop kept in view after the round ended (its note form
// was open) stays in view this long, its button showing the card given, then the stop goes.
const HELD_GIVEN_MS = 4000;
// A page started this soon after the server took a tap from this phone (another page of the
// link, e.g. the one just reloaded) may have been rendered before that tap was written.
const TAKEN_RECENTLY_MS = 15000;

/** A random id for one tap, so a repeated submission is recognised by the server. */
export function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);

/**
 * An element from a page's <template> whose markup has {placeholders} (the server renders the
 * same fragment as for a page load, with placeholders instead of values): each filled with its
 * value, escaped. Null without the template.
 */
export function fromTemplate(selector, values) {
  const source = document.querySelector(selector);
  if (!source) return null;
  const escaped = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, escapeHtml(value)]));
  const holder = document.createElement('template');
  holder.innerHTML = fill(source.innerHTML, escaped);
  return holder.content.firstElementChild;
}

/**
 * A stop of the itinerary (one round: table and tablemates) from a `plan` push, drawn with the
 * page's stop and tablemate templates; `youText` follows my own name (attendee id `me`); a
 * tablemate the push marks `erased` is drawn as `showErased` does, named `erasedText` (the
 * page's words) or else the push's name. Null without the templates.
 */
export function stopElement(stop, me, youText, erasedText = null) {
  const section = fromTemplate('[data-stop-template]', { round: stop.round, table: stop.table });
  const list = section?.querySelector('.tablemates');
  if (!list) return null;
  for (const mate of stop.mates) {
    const item = fromTemplate('[data-mate-template]', { ...mate, round: stop.round });
    if (!item) return null;
    if (!mate.company) item.querySelector('.company')?.remove();
    if (!mate.ask) item.querySelector('.ask')?.remove();
    if (!mate.why) item.querySelector('.why')?.remove();
    const [need, offer] = item.querySelectorAll('.pitch-full > p');
    if (!mate.need) need?.remove();
    if (!mate.offer) offer?.remove();
    if (!mate.need && !mate.offer) item.querySelector('.pitch-full')?.remove();
    if (mate.erased) showErased(item, erasedText ?? mate.name);
    if (mate.id === me) {
      item.dataset.isMe = 'true';
      item.querySelector('.card-buttons')?.remove();
      const you = document.createElement('span');
      you.className = 'you';
      you.textContent = youText;
      item.querySelector('[data-name]')?.after(' ', you);
    }
    list.append(item);
  }
  return section;
}

/**
 * Show a tablemate's entry (`.tablemate`) as the page draws someone whose data was erased: the
 * placeholder `name`, no card buttons (nor the note form), no company, pitch, "May help you" or
 * "met before" line. The entry itself stays, with its speaking order: the pitch slots are the
 * table's seats (now.js), so the order of pitches does not move.
 */
export function showErased(item, name) {
  item.dataset.erased = 'true';
  const shown = item.querySelector('[data-name]');
  if (shown) shown.textContent = name;
  for (const part of item.querySelectorAll('.card-buttons, .company, .met-before, .why, .ask, .pitch-full')) part.remove();
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

  // One card of a kind per person: a card given in one round shows, in the stops of the other
  // rounds where the same person sits with me again, as "Given in another round", a button no
  // tap gives again or takes back (the server refuses a take-back from another round too).
  function setElsewhere(button, given) {
    if (given) {
      button.dataset.givenElsewhere = 'true';
      button.setAttribute('aria-disabled', 'true');
      button.setAttribute('aria-pressed', 'true');
      button.dataset.clientId = '';
      delete button.dataset.pending;
    } else if (button.dataset.givenElsewhere === 'true') {
      delete button.dataset.givenElsewhere;
      button.removeAttribute('aria-disabled');
      button.setAttribute('aria-pressed', 'false');
    }
  }
  function markElsewhere(item) {
    const selector = `[data-card-kind="${item.kind}"][data-receiver="${item.receiver}"]`;
    for (const button of root.querySelectorAll(selector)) {
      if (button.dataset.round !== String(item.round)) setElsewhere(button, item.action === 'give');
    }
  }
  // After stops are drawn anew (a re-plan's push): the cards given in the rounds kept.
  function syncElsewhere() {
    for (const button of root.querySelectorAll('[data-card-kind][aria-pressed="true"]')) {
      if (button.dataset.clientId) markElsewhere({ ...cardTarget(button), kind: button.dataset.cardKind, action: 'give' });
    }
  }

  // Another tab of this link on this phone (they share localStorage) hears of each tap the
  // server took, through a key of its own (the storage event fires in the other tabs only), and
  // shows the button as this tab does: no tab offers to give a card already given.
  const takenKey = `${outboxKey}:taken`;
  function tellOtherTabs(item) {
    try {
      localStorage.setItem(takenKey, JSON.stringify({ ...item, at: Date.now() }));
    } catch {
      // storage full or refused: the other tab shows it at its next load
    }
  }
  window.addEventListener('storage', (event) => {
    if (event.key !== takenKey || !event.newValue) return;
    let item;
    try {
      item = JSON.parse(event.newValue);
    } catch {
      return;
    }
    if (item?.action === 'give') {
      mark(item, false);
      markElsewhere(item);
    }
    // A take-back unmarks only the card it names: a late word of an old card's take-back must
    // not show as not given the card this tab holds now (its take-back would name that one).
    else if (item?.action === 'take_back') {
      const button = buttonFor(item);
      if (button && (button.getAttribute('aria-pressed') !== 'true' || button.dataset.clientId === item.client_id)) {
        mark(item, false);
        markElsewhere(item);
      }
    }
  });

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

  async function socketAnswer(item) {
    const ack = await overSocket(item);
    return ack && { ...ack, cardClientId: ack.card_client_id || '', otherRound: ack.other_round === true };
  }

  /**
   * The server's answer {ok, error, cardClientId}, or null when the tap must wait (offline,
   * server busy). `cardClientId`: the client id the card given is stored with.
   */
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
    const body = await response.json().catch(() => ({}));
    return {
      ok: response.ok,
      error: body.error || '',
      cardClientId: body.is_given ? body.client_id : '',
      otherRound: body.other_round === true,
    };
  }

  async function flush() {
    if (flushing) return;
    flushing = true;
    clearTimeout(retryTimer);
    try {
      for (let items = load(); items.length; items = load()) {
        const item = items[0];
        const answer = live?.isOpen() ? await socketAnswer(item) : await overHttp(item);
        if (!answer) {
          retryTimer = setTimeout(flush, OUTBOX_RETRY_MS);
          return; // keep the tap, try again later
        }
        save(load().filter((queued) => queued.client_id !== item.client_id || queued.action !== item.action));
        if (answer.ok) {
          showError('');
          // The card may have been given before with another client id (from another tab of
          // this link that this one did not hear of): this tab holds the card's own id, and a
          // take-back queued meanwhile names it, so taking back takes back the card that is there.
          const held = item.action === 'give' && answer.cardClientId ? { ...item, client_id: answer.cardClientId } : item;
          if (held !== item) {
            save(load().map((q) => (q.action === 'take_back' && q.client_id === item.client_id ? { ...q, client_id: held.client_id } : q)));
          }
          if (item.action === 'give' && answer.otherRound) {
            // The card they have from me was given in another round: it stays that one.
            const button = buttonFor(item);
            if (button) setElsewhere(button, true);
          } else if (!load().some((q) => String(q.receiver) === String(item.receiver) && q.kind === item.kind)) {
            mark(held, false);
            markElsewhere(held);
            tellOtherTabs(held);
          }
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

  // Whole numbers, not the digits of the data attributes: the server cleans a frame of this shape
  // without the form's fields (feedback.forms.plain_card_frame). An outbox kept from before may
  // still hold strings; both ways give the same answer.
  const cardTarget = (button) => ({ receiver: Number(button.dataset.receiver), round: Number(button.dataset.round) });

  let lastTap = { button: null, at: -Infinity };
  root.addEventListener('click', (event) => {
    const button = event.target.closest('[data-card-kind]');
    if (!button || !root.contains(button)) return;
    if (button.dataset.givenElsewhere === 'true') return; // given in another round: it stays
    const at = performance.now();
    const again = lastTap.button === button && at - lastTap.at < DOUBLE_TAP_MS;
    lastTap = { button, at };
    if (again) return;
    const base = { ...cardTarget(button), kind: button.dataset.cardKind };
    if (button.getAttribute('aria-pressed') === 'true') {
      tap({ ...base, action: 'take_back', client_id: button.dataset.clientId, note: '' });
      return;
    }
    if (base.kind === 'introduce') {
      const form = document.getElementById(button.getAttribute('aria-controls'));
      if (form) {
        form.hidden = false;
        showNoteCount(form);
        button.setAttribute('aria-expanded', 'true');
        form.querySelector('input')?.focus();
        return;
      }
    }
    tap({ ...base, action: 'give', client_id: newClientId(), note: '' });
  });

  // The introduction's note: a live count of the characters left, as a reader counts them
  // (grapheme clusters, as the server does: feedback.services.note_characters); a note over the
  // limit is refused here with a message in the phone's language, never cut (nor sent: the
  // server would refuse it too).
  const noteMax = Number(root.dataset.noteMax) || 0;
  const noteLeft = (form) => noteMax - graphemes(form.querySelector('input[name="note"]')?.value ?? '').length;
  function showNoteCount(form) {
    const count = form.querySelector('[data-card-note-count]');
    if (!count || !noteMax) return;
    const left = noteLeft(form);
    count.textContent = left >= 0 ? say('note_left', { count: left }) : say('note_over', { count: -left });
    count.dataset.over = String(left < 0);
    const error = form.querySelector('[data-card-note-error]');
    if (error && left >= 0) {
      error.hidden = true;
      error.textContent = '';
    }
  }
  function refuseNote(form) {
    const error = form.querySelector('[data-card-note-error]');
    if (error) {
      error.textContent = say('note_too_long');
      error.hidden = false;
    }
    form.querySelector('input[name="note"]')?.focus();
  }
  root.addEventListener('input', (event) => {
    const form = event.target.closest?.('[data-card-note]');
    if (form && root.contains(form)) showNoteCount(form);
  });

  // The note form closed without giving the card ("Cancel", or Escape in it): what was typed goes.
  function closeNote(form) {
    form.hidden = true;
    root.querySelector(`[aria-controls="${form.id}"]`)?.setAttribute('aria-expanded', 'false');
    form.reset();
    render();
  }
  root.addEventListener('click', (event) => {
    const cancel = event.target.closest('[data-card-note-cancel]');
    const form = cancel?.closest('[data-card-note]');
    if (form && root.contains(form)) closeNote(form);
  });
  root.addEventListener('keydown', (event) => {
    const form = event.key === 'Escape' ? event.target.closest?.('[data-card-note]') : null;
    if (form && root.contains(form)) closeNote(form);
  });

  // A tablemate whose introduction was given from a stop kept after its round (below): shown
  // a moment longer, with the card given.
  const justGiven = new Set();
  root.addEventListener('submit', (event) => {
    const form = event.target.closest('[data-card-note]');
    if (!form) return;
    event.preventDefault();
    if (noteMax && noteLeft(form) < 0) return refuseNote(form);
    const button = root.querySelector(`[aria-controls="${form.id}"]`);
    form.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    const person = form.closest('.tablemate');
    if (person && form.closest('.stop')?.dataset.held === 'true') {
      justGiven.add(person);
      setTimeout(() => {
        justGiven.delete(person);
        render();
      }, HELD_GIVEN_MS);
    }
    const note = new FormData(form).get('note') || '';
    tap({
      action: 'give',
      client_id: newClientId(),
      ...cardTarget(button),
      kind: 'introduce',
      note,
    });
    form.reset();
    render();
  });

  const texts = readJson(root.dataset.texts, {});
  const say = (key, values = {}) => fill(texts[key] ?? key, values);
  let itinerary = readItinerary(root.querySelector('[data-itinerary]'));
  let gone = false;
  let shown = null; // the instruction last rendered

  const put = (el, text) => {
    if (el && el.textContent !== text) el.textContent = text;
  };

  // The instruction's sentence: what the status region says (no ticking numbers in it, so a
  // screen reader hears each change once).
  const sentenceValues = (now) => ({ table: now.table ?? '', round: now.round ?? '', pitcher: now.pitcher ?? '' });
  // The pitcher's name takes at most this many characters in it ("…" ends a longer one; the
  // whole name is its title and in the table list below): on a 360×640 phone the sentence
  // takes at most four lines, the countdown right below it.
  const PITCHER_CHARACTERS = 20;

  function render(detail) {
    const state = detail?.state ?? live?.state();
    const serverNow = detail?.now ?? live?.serverNow() ?? Date.now();
    const now = instructionFor(state, itinerary, serverNow, gone);
    const event = state?.event ?? {};
    root.dataset.now = now.kind;
    root.dataset.cards = now.cards ? 'on' : 'off';
    // The last round started, or I was taken out of the rounds (Attendee.has_seating_ahead):
    // "Don't seat me with…" goes; back if the organizer undoes the removal.
    const seating = hasSeatingAhead(state);
    if (seating !== null) root.dataset.seating = seating && !itinerary.removed ? 'ahead' : 'over';
    // "Write your pitch before the rounds start" is true only until they start (room.css).
    // Taken out of the rounds (or put back): the instruction says "You have no more tables…"
    // (kind `removed`, instructionFor) and room.css hides the table, cards and pitch prompt.
    root.dataset.removed = String(itinerary.removed === true);
    const prompt = pitchPromptFor(state, serverNow, itinerary.removed);
    if (prompt !== null) root.dataset.pitchPrompt = prompt;
    const status = root.querySelector('[data-now-text]');
    fillInto(status, texts[now.kind] ?? now.kind, sentenceValues(now), ['pitcher'], { pitcher: PITCHER_CHARACTERS });
    if (status) {
      status.dataset.table = now.table ?? '';
      status.dataset.round = now.round ?? '';
    }
    // The big number: the pitch slot while someone pitches, the count-in, else the round clock.
    const clock = now.kind === 'starting' ? String(now.startsIn ?? '') : now.pitch ? formatClock(now.pitch.leftMs) : formatClock(now.clockMs);
    put(root.querySelector('[data-now-clock]'), clock);
    const bar = root.querySelector('[data-now-bar]');
    if (bar) {
      const share = now.pitch && event.pitch_ms > 0 ? Math.max(0, Math.min(1, now.pitch.leftMs / event.pitch_ms)) : 0;
      bar.style.transform = `scaleX(${share})`;
    }
    let detailText = '';
    if (now.pitch) detailText = say('pitch_of', { index: now.pitch.index + 1, count: now.pitch.count });
    else if (now.kind === 'move' || now.kind === 'stay') detailText = say('next_round', { round: now.round, count: event.rounds_count ?? '' });
    put(root.querySelector('[data-now-detail]'), detailText);
    const roundLine = ['starting', 'my_turn', 'listening', 'open_talk', 'paused'].includes(now.kind)
      ? say('round_of', { round: now.round, count: event.rounds_count ?? '' }) : '';
    put(root.querySelector('[data-live-round-line]'), roundLine);
    // A note form open when its round ended (the phone moved on to "Move to table…", "Stay…"
    // or mingle) stays, with what was typed, until the card is given or the form closed: its
    // stop stays in view below the new instruction, showing only that tablemate (room.css).
    // The server takes a card for a past round from a tablemate of it.
    const holding = !['gone', 'closed', 'removed'].includes(now.kind);
    for (const stop of root.querySelectorAll('.stop')) {
      const current = Number(stop.dataset.roundNumber) === now.stop;
      let held = false;
      for (const person of stop.querySelectorAll('.tablemate')) {
        const keep = holding && !current && (justGiven.has(person) || person.querySelector('[data-card-note]:not([hidden])') !== null);
        if (keep) person.dataset.held = 'true';
        else delete person.dataset.held;
        held ||= keep;
      }
      if (held) stop.dataset.held = 'true';
      else delete stop.dataset.held;
      stop.hidden = !current && !held;
    }
    if (now.kind === 'gone' && shown?.kind !== 'gone') showGone();
    hidePlanNotice(now);
    shown = now;
    followComingStop();
  }

  // The link no longer works (the socket was closed with 4403): the room gives way to a notice.
  function showGone() {
    root.hidden = true;
    const notice = document.querySelector('[data-gone]');
    if (notice) notice.hidden = false;
  }

  function swap(url, target) {
    if (!window.htmx || !url) return Promise.resolve();
    return window.htmx.ajax('GET', url, { target, swap: 'outerHTML' }).catch(() => {});
  }

  async function refreshItinerary() {
    await swap(root.dataset.itineraryUrl, '[data-itinerary]');
    itineraryChanged();
  }

  function itineraryChanged() {
    itinerary = readItinerary(root.querySelector('[data-itinerary]'));
    for (const item of load()) mark(item, true);
    render();
  }

  // A re-plan's push carries my new itinerary: the rounds not started yet with their tablemates
  // (`stops`), the others as they were. They are redrawn here, with no request, so a re-plan
  // never makes a room of phones load at once; only what the push cannot say (I have no seat
  // any more, a round missing from the page) is loaded.
  // The tablemates' names at my stop of round `round` in the itinerary shown (null: no stop).
  const namesAt = (container, round) => {
    const stop = container.querySelector(`.stop[data-round-number="${round}"]`);
    return stop && [...stop.querySelectorAll('.tablemate [data-name]')].map((el) => el.textContent.trim());
  };
  // The screen reader's last sentence ("Now pitching: …") is emptied, not said again, when the
  // name it holds (its own <bdi>, live.js) is one of `names`: someone no longer at my table
  // (marked gone or taken out mid-round, erased) must not go on being said to pitch. The next
  // turn is announced as usual.
  function forgetAnnounced(names) {
    const announcer = root.querySelector('[data-live-announcer]');
    const said = [...(announcer?.querySelectorAll('bdi') ?? [])].map((el) => el.textContent.trim());
    if (names.some((name) => said.includes(name))) announcer.textContent = '';
  }

  function applyPlan(detail) {
    const container = root.querySelector('[data-itinerary]');
    const wanted = detail?.itinerary;
    if (!container || !Array.isArray(wanted) || !Array.isArray(detail.stops) || wanted.length === 0) {
      return refreshItinerary();
    }
    const fresh = new Map(detail.stops.map((stop) => [stop.round, stop]));
    const shown = new Map(
      [...container.querySelectorAll('.stop[data-round-number]')].map((el) => [Number(el.dataset.roundNumber), el]),
    );
    const drawn = [];
    for (const stop of [...wanted].sort((a, b) => a.round - b.round)) {
      const kept = shown.get(stop.round);
      const el = fresh.has(stop.round)
        ? stopElement(fresh.get(stop.round), Number(root.dataset.attendee), say('you'), texts.erased)
        : kept && Number(kept.dataset.tableNumber) === stop.table ? kept : null;
      if (!el) return refreshItinerary();
      drawn.push(el);
    }
    // the round under way: the one whose pitcher the announcer names (a coming round's
    // tablemates re-planned away are no one it said pitches)
    const current = live?.state()?.round?.number;
    const before = namesAt(container, current) ?? [];
    container.replaceChildren(...drawn);
    const after = namesAt(container, current);
    if (after) forgetAnnounced(before.filter((name) => !after.includes(name)));
    syncElsewhere();
    itineraryChanged(); // its render tells a change of my coming stop (followComingStop)
    return Promise.resolve();
  }

  // The round whose table the attendee is about to go to (or already went to): the next one
  // while a round is on, the one the instruction names between rounds and before the first.
  // Null when no round is ahead (mingle, closed, gone…).
  const ROUND_ON = ['starting', 'my_turn', 'listening', 'open_talk', 'paused'];
  const ROUND_AHEAD = ['first_table', 'joins_later', 'move', 'stay', 'not_seated', 'table_at_start'];
  function comingRound() {
    const now = shown;
    if (!now || now.round === null) return null;
    if (ROUND_AHEAD.includes(now.kind)) return now.round;
    if (ROUND_ON.includes(now.kind)) return now.round + 1;
    return null;
  }
  // A stop as far as the attendee can tell: the table and who sits there (by attendee id, so a
  // name corrected meanwhile is no change). '' for no stop.
  const stopSignature = (stop) =>
    stop ? `${stop.table}|${stop.seats.filter((s) => !s.isMe).map((s) => s.id ?? s.name).sort().join(',')}` : '';

  // A re-plan changed my coming stop (its table or my tablemates): said plainly and buzzed, so
  // someone who read "Move to table 2" and walked off notices. It stays until that round starts.
  // Told whenever the stop shown differs from the one this phone last showed for that round:
  // from a push at once, and just as well when the push was missed (the socket closed while the
  // phone slept: its itinerary is loaded on reconnect) or the page was closed or reloaded
  // meanwhile. So the last coming stop shown (and its notice, if one shows) is kept per link on
  // this phone; with nothing kept (the link's first load here) there is nothing to tell.
  const planNotice = root.querySelector('[data-plan-notice]');
  const comingKey = `speednet:coming:${root.dataset.token}`;
  const NOTICES = ['', 'table_changed', 'mates_changed'];
  let noticeRound = null;
  let noticeKind = '';
  let seen = null; // {round, table (null: no stop), signature, notice}
  try {
    const kept = JSON.parse(localStorage.getItem(comingKey) || 'null');
    if (Number.isInteger(kept?.round) && typeof kept.signature === 'string' && NOTICES.includes(kept.notice)) seen = kept;
  } catch {
    seen = null; // nothing readable kept: nothing to compare with
  }
  function remember(value) {
    seen = value;
    try {
      localStorage.setItem(comingKey, JSON.stringify(value));
    } catch {
      // storage full or refused: this page still compares with what it showed
    }
  }
  function showPlanNotice(round, table, kind, buzz) {
    if (!planNotice) return;
    fillInto(planNotice, texts[kind] ?? '', { round, table });
    planNotice.dataset.round = String(round);
    planNotice.hidden = false;
    noticeRound = round;
    noticeKind = kind;
    if (buzz) live?.alert?.();
  }
  function followComingStop() {
    const round = comingRound();
    // No stop at all is an itinerary not there yet (a plan just made, its load on the way).
    if (round === null || itinerary.stops.size === 0) return;
    const stop = itinerary.stops.get(round);
    const signature = stopSignature(stop);
    const same = seen?.round === round;
    if (stop && same && seen.signature !== signature) {
      showPlanNotice(round, stop.table, seen.table === stop.table ? 'mates_changed' : 'table_changed', true);
    } else if (stop && same && seen.notice && noticeRound !== round) {
      showPlanNotice(round, stop.table, seen.notice, false); // told before this page: still true
    }
    const notice = noticeRound === round ? noticeKind : '';
    if (!same || seen.signature !== signature || seen.notice !== notice) {
      remember({ round, table: stop?.table ?? null, signature, notice });
    }
  }
  function hidePlanNotice(now) {
    if (noticeRound === null || !planNotice) return;
    const started = ROUND_ON.includes(now.kind) && now.round >= noticeRound;
    const over = !ROUND_ON.includes(now.kind) && !ROUND_AHEAD.includes(now.kind) && now.kind !== 'connecting';
    if (started || over) {
      planNotice.hidden = true;
      noticeRound = null;
      noticeKind = '';
      if (seen?.notice) remember({ ...seen, notice: '' });
    }
  }

  let toastTimer = null;
  let toastFor = null; // the card the toast shows (giver and kind), while it shows
  function hideToast() {
    const box = root.querySelector('[data-card-toast]');
    clearTimeout(toastTimer);
    toastFor = null;
    if (!box) return;
    box.hidden = true;
    box.textContent = '';
  }
  function toast(text, key = null, values = {}) {
    const box = root.querySelector('[data-card-toast]');
    if (!box) return;
    fillInto(box, text, values, ['giver', 'note']);
    box.hidden = false;
    toastFor = key;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(hideToast, TOAST_MS);
  }

  // What the pushes last said of each card (id → given): a give is shown only if no take-back
  // came after it. The two can arrive in either order: a take-back sent another way (over HTTP
  // after the socket dropped, or through another server process) may overtake the give's push.
  const lastSaid = new Map();
  // One load of the feed at a time, each started once the one before has been swapped in: htmx
  // queues a second load of an element still loading, resolves its promise at once (the count
  // was read from the old feed) and sends it later into the element the first load replaced,
  // off the page, so cards arriving together left the count and the feed behind.
  let feedLoaded = Promise.resolve();
  function loadFeed() {
    feedLoaded = feedLoaded.then(() => swap(root.dataset.receivedUrl, '[data-card-feed]'));
    return feedLoaded;
  }
  // The feed loaded again and its count beside the heading: the server's word, now.
  async function refreshFeed() {
    await loadFeed();
    const feed = root.querySelector('[data-card-feed]');
    const count = feed ? feed.querySelectorAll('li:not([data-empty])').length : 0;
    put(root.querySelector('[data-card-count]'), String(count));
    return feed;
  }
  async function cardArrived(detail) {
    const card = detail?.card;
    if (!card) return;
    const key = `${card.giver?.id}:${card.kind}`;
    lastSaid.set(card.id, card.is_given === true);
    if (!card.is_given && toastFor === key) hideToast(); // the toast's card is gone
    const feed = await refreshFeed();
    // Shown once the feed (the server's word) has it and no take-back came meanwhile: a late
    // give of a card already taken back shows nothing.
    const held = feed?.querySelector(`#${CSS.escape(`card-${card.id}-feed`)}`);
    if (card.is_given && lastSaid.get(card.id) === true && held) {
      const kind = say(card.kind === 'see_me' ? 'see_me' : 'introduce');
      const values = { giver: card.giver?.name ?? '', kind, note: card.note ?? '' };
      const sentenceKey = card.note ? 'card_note' : 'card_from';
      toast(texts[sentenceKey] ?? sentenceKey, key, values);
    }
  }

  // Sound on or off, remembered on this phone; the vibration and the flash stay either way.
  const soundKey = 'speednet:sound';
  const soundButton = root.querySelector('[data-sound-toggle]');
  function setSound(on) {
    root.dataset.sound = on ? 'on' : 'off';
    try {
      localStorage.setItem(soundKey, on ? 'on' : 'off');
    } catch {
      // private mode: the choice lasts for this page only
    }
    if (soundButton) {
      soundButton.setAttribute('aria-pressed', on ? 'true' : 'false');
      soundButton.textContent = say(on ? 'sound_on' : 'sound_off');
    }
  }
  let soundPref = 'on';
  try {
    soundPref = localStorage.getItem(soundKey) || 'on';
  } catch {
    soundPref = 'on';
  }
  setSound(soundPref !== 'off');
  soundButton?.addEventListener('click', () => setSound(root.dataset.sound === 'off'));

  root.addEventListener('speednet:render', (event) => {
    gone = event.detail?.phase === 'forbidden';
    render(event.detail);
  });
  // A phone whose socket was closed (asleep, out of Wi-Fi) missed any `plan` push meanwhile: the
  // first state after it reconnects says whether the plan changed since the one it shows (its
  // `plan_version`), and only then is the itinerary loaded. Connected all along, the push came.
  // The socket may have opened (and had its first state) before this script ran, when the
  // page's scripts load slowly: then the phone is not coming back from away. A check-in, its
  // undo or "gone" missed while away (before the plan, all the itinerary says) needs no load:
  // every connect's state is followed by my `presence` (docs/protocol.md).
  let planVersion = readJson(root.dataset.liveState, null)?.event?.plan_version ?? null;
  let away = root.dataset.connection !== 'open';
  // Cards pushed while the socket was closed never arrive: the first state after a reconnect
  // loads the received cards once (one request per phone per reconnect). The page's first
  // connect needs none: the page was just rendered with them. A socket that opened and dropped
  // before its first state came (a busy server) counts as a reconnect all the same.
  let wasOpen = root.dataset.connection === 'open';
  let feedStale = false;
  root.addEventListener('speednet:snapshot', (event) => {
    if (feedStale) {
      feedStale = false;
      refreshFeed();
    }
    const shown = event.detail?.event;
    const version = shown?.plan_version ?? null;
    const changed = version !== null && planVersion !== null && version !== planVersion;
    const missed = away && changed;
    away = false;
    planVersion = version ?? planVersion;
    // Someone without a seat looks again when a plan was made or re-made (its state may come
    // before the push that would seat them); every other state (the organizer's mingle and
    // close, a reconnect, a snapshot asked for) leaves their itinerary as it is.
    if (missed || (changed && shown?.has_plan && itinerary.stops.size === 0)) refreshItinerary();
  });
  root.addEventListener('speednet:card', (event) => cardArrived(event.detail));
  root.addEventListener('speednet:plan', (event) => applyPlan(event.detail));
  // Checked in at the door (or undone, or marked gone): the instruction follows at once.
  root.addEventListener('speednet:presence', (event) => {
    const container = root.querySelector('[data-itinerary]');
    if (!container || typeof event.detail?.checked_in !== 'boolean') return;
    container.dataset.checkedIn = String(event.detail.checked_in);
    container.dataset.left = String(event.detail.left === true);
    container.dataset.removed = String(event.detail.removed === true);
    itineraryChanged();
  });
  // A tablemate deleted their data (`person`, docs/protocol.md): every entry of theirs in my
  // itinerary shows the placeholder (my page's own words) with no card buttons, at once; the
  // pitch order stays. A phone that missed it loads its itinerary on reconnect (plan_version).
  root.addEventListener('speednet:person', (event) => {
    const id = Number(event.detail?.id);
    if (!event.detail?.erased || !Number.isInteger(id) || id === Number(root.dataset.attendee)) return;
    const name = texts.erased ?? event.detail.name ?? '';
    const entries = root.querySelectorAll(`[data-itinerary] .tablemate[data-person="${id}"]`);
    const names = new Set([...entries].map((item) => item.querySelector('[data-name]')?.textContent.trim()).filter(Boolean));
    for (const item of entries) showErased(item, name);
    // The screen reader's last sentence ("Now pitching: …") goes too if it named them.
    forgetAnnounced([...names].filter((said) => said !== name));
    if (entries.length) itineraryChanged();
  });
  // The sharing question answered on another page of this link (another tab or phone), told by
  // a push or by my presence after a reconnect: this page no longer asks it.
  root.addEventListener('speednet:presence', (event) => {
    if (typeof event.detail?.sharing === 'boolean') root.querySelector('.consent-prompt')?.remove();
  });
  root.addEventListener('speednet:card_ack', (event) => awaiting.get(ackKey(event.detail))?.(event.detail));
  // Out of touch (Wi-Fi gone, server away): the header says so in words, since the countdown
  // goes on from what the phone last heard and may be behind a pause, a skip or a round change.
  const connectionLabel = root.querySelector('[data-connection-label]');
  root.addEventListener('speednet:connection', (event) => {
    if (connectionLabel) {
      connectionLabel.textContent = event.detail?.status === 'reconnecting' ? say('reconnecting') : '';
    }
    if (event.detail?.status !== 'open') away = true;
    if (event.detail?.status === 'open') wasOpen = true;
    else if (wasOpen) feedStale = true;
    if (event.detail?.status === 'open') flush();
    else for (const resolve of [...awaiting.values()]) resolve(null);
  });
  window.addEventListener('online', flush);
  for (const item of load()) mark(item, true);
  render();
  // A tap sent as the network came back, just before a reload, races the reload: the server may
  // render this page before it writes the tap, and the old page may have its answer (and empty
  // the outbox) before this one runs, so nothing here would tell. The taps the server took are
  // noted (tellOtherTabs): one taken moments ago loads my buttons again, the server's word now.
  try {
    const taken = JSON.parse(localStorage.getItem(takenKey) || 'null');
    const age = Date.now() - Number(taken?.at);
    if (age >= 0 && age < TAKEN_RECENTLY_MS) refreshItinerary();
  } catch {
    // nothing readable noted: nothing to catch up on
  }
  flush();
}

for (const root of document.querySelectorAll('.room[data-card-url]')) startRoom(root);
