// The phone's live connection and clock (docs/protocol.md is the contract).
// The server sends state changes with absolute server times; this module estimates the server
// clock (NTP-style ping/pong) and counts down locally, so every phone flips the same second at
// the same instant whatever its own clock says. Pure functions are exported for tests.

import { fillInto } from './text.js';

const DEFAULTS = {
  pings: 5, // pings per clock sync burst: at connect and every syncEvery
  pingGap: 150, // ms between the pings of a burst
  syncEvery: 60000,
  heartbeat: 15000, // ms between application pings
  silence: 45000, // reconnect when nothing was heard for this long...
  pingTimeout: 5000, // ...while a ping is unanswered for this long
  connectTimeout: 15000, // give up a handshake that hangs this long
  hiddenFor: 10000, // reconnect when shown again after being hidden this long
  backoffBase: 500,
  backoffCap: 30000,
  keepSamples: 12, // clock samples kept; the one with the smallest round trip wins...
  sampleAge: 120000, // ...among those at most this old (a phone's clock drifts ~5 ms in 2 min)
  fresh: 3000, // buzz and announce only changes at most this old (not after a reconnect)
};

const TEXTS = {
  nowPitching: 'Now pitching: {name}',
  yourTurn: 'Your turn',
  roundStarts: 'Round {round} starts.',
  roundOver: 'Round over',
  turn: 'Turn {turn}',
  openTalk: 'Open conversation',
  eventClosed: 'The event is closed.',
};

const LIVE = new Set(['running', 'paused']);
const AFTER = new Set(['between', 'mingle', 'closed']);
const isNum = Number.isFinite;

/**
 * Server minus phone clock (ms), from the sample with the smallest round trip.
 * @param {{sent: number, received: number, server: number}[]} samples a ping's send and receive
 *   times on the phone's clock, and the server_time of its pong
 * @returns {number|null} null without samples
 */
export function bestOffset(samples) {
  let best = null;
  for (const s of samples) {
    if (!best || s.received - s.sent < best.received - best.sent) best = s;
  }
  return best ? best.server - (best.sent + best.received) / 2 : null;
}

// The instant a round's clock reads: frozen at paused_at while paused, and until resumes_at
// after a resume (this module sets it: the server moves ends_at and turns_at 0.5 s ahead on a
// resume, which would otherwise add that time back to the clock, or go back a turn).
function readAt(round, now) {
  if (round.status === 'paused') return Math.min(now, round.paused_at ?? now);
  return Math.max(now, round.resumes_at ?? now);
}

/**
 * Time left in a round at server time `now`; its full length before it starts.
 * @param {object|null} round the protocol's round shape
 * @param {number} now server epoch ms
 * @returns {number|null} ms; null without a round
 */
export function remainingMs(round, now) {
  if (!round) return null;
  if (round.status === 'done') return 0;
  return Math.max(0, round.ends_at - Math.max(readAt(round, now), round.starts_at));
}

/**
 * The 0-based speaking order whose pitch slot runs at `now` (frozen while paused).
 * @param {object|null} round
 * @param {number} pitchMs
 * @param {number} now server epoch ms
 * @returns {number|null} null before turns_at, once the round is over, without a round
 */
export function currentTurn(round, pitchMs, now) {
  if (!round || round.status === 'done' || !(pitchMs > 0)) return null;
  const at = readAt(round, now);
  if (at < round.turns_at || at >= round.ends_at) return null;
  return Math.floor((at - round.turns_at) / pitchMs);
}

/**
 * The round as one table counts its turns: `turns_at` later by that table's shift
 * (`turn_shifts`, docs/protocol.md: a pitcher left mid-slot and the next one got a full slot).
 * Every other time stays the round's, so the round clock and its end are the same for all.
 * @param {object|null} round the protocol's round shape
 * @param {number|string|null|undefined} table the table number (none: the round's own clock)
 * @returns {object|null} `round` itself when that table runs on the round's clock
 */
export function atTable(round, table) {
  const shift = table == null ? undefined : round?.turn_shifts?.[String(table)];
  return isNum(shift) && shift !== 0 ? { ...round, turns_at: round.turns_at + shift } : round;
}

/**
 * The phase to show: connecting, before, starting, running, paused, between, mingle or closed.
 * @param {object|null} state {version, event, round, announcement}
 * @param {number} now server epoch ms
 * @returns {string}
 */
export function phaseOf(state, now) {
  if (!state) return 'connecting';
  const status = state.event?.status;
  const r = state.round;
  if (status === 'mingle' || status === 'closed') return status;
  if (!r) return 'before';
  if (r.status === 'done' || (r.status === 'running' && now >= r.ends_at)) return 'between';
  // A pause during the count-in shows as a pause; the count-in goes on after the resume.
  if ((r.status === 'paused' && now >= r.paused_at) || now < r.resumes_at) return 'paused';
  if (now < r.starts_at) return 'starting';
  return 'running';
}

/**
 * The announcement's text at server time `now`: '' when there is none or it has expired.
 * @param {object|null} state
 * @param {number} now server epoch ms
 * @returns {string}
 */
export function announcementAt(state, now) {
  const a = state?.announcement;
  if (!a || typeof a.text !== 'string') return '';
  return isNum(a.expires_at) && now >= a.expires_at ? '' : a.text;
}

/**
 * A countdown as m:ss, rounded up to the second: 3:00 at the start, 0:00 exactly at the end.
 * @param {number|null} ms
 * @returns {string} '' for null
 */
export function formatClock(ms) {
  if (!isNum(ms)) return '';
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Exponential backoff with full jitter: uniform in [0, min(cap, base × 2^attempt)).
 * @param {number} attempt 0 for the first retry
 * @param {() => number} [random] uniform in [0, 1)
 * @returns {number} ms
 */
export function backoffDelay(attempt, random = Math.random, base = 500, cap = 30000) {
  return random() * Math.min(cap, base * 2 ** attempt);
}

// ms until the countdown to `target` shows its next whole second (≤ 1 s); Infinity after it.
function untilFlip(target, now) {
  const d = target - now;
  return d > 0 ? d % 1000 || 1000 : Infinity;
}

/**
 * ms until the display may change next: the next second of the countdown to starts_at or
 * ends_at, the next turn, paused_at or resumes_at; at most 1 s.
 * @param {object|null} state
 * @param {number} now server epoch ms
 * @returns {number}
 */
export function msToNextChange(state, now) {
  const r = state?.round;
  const pitch = state?.event?.pitch_ms;
  const expires = state?.announcement?.expires_at;
  if (expires > now && expires - now < 1000) return expires - now;
  if (!r || r.status === 'done') return 1000;
  let d = Math.min(1000, untilFlip(r.starts_at, now), untilFlip(r.ends_at, now));
  for (const at of [r.paused_at, r.resumes_at]) if (at > now) d = Math.min(d, at - now);
  if (pitch > 0) {
    d = Math.min(d, r.turns_at > now ? r.turns_at - now : pitch - ((now - r.turns_at) % pitch));
  }
  return d;
}

const isRound = (r) =>
  r === null ||
  (typeof r === 'object' &&
    Number.isInteger(r.number) &&
    typeof r.status === 'string' &&
    [r.starts_at, r.ends_at, r.turns_at].every(isNum));

// Sound and vibration need a user gesture first: the first tap or key unlocks both. iOS
// suspends the audio context when the screen locks ("interrupted") and never resumes it by
// itself, so it is resumed again at every tap and whenever the page becomes visible; a beep is
// played only while the context runs (a beep scheduled on a stopped context is lost).
let audio = null;
let unlocked = false;
function resumeAudio() {
  if (!audio || audio.state === 'running' || audio.state === 'closed') return;
  try {
    audio.resume()?.catch?.(() => {});
  } catch {
    // an old browser without a promise; a nicety, never an error
  }
}
function onGesture() {
  if (unlocked) return resumeAudio();
  unlocked = true;
  try {
    const Ctx = globalThis.AudioContext || globalThis.webkitAudioContext;
    audio = new Ctx();
    if (audio.state !== 'running') audio.resume()?.catch?.(() => {});
  } catch {
    audio = null;
  }
}
addEventListener('pointerdown', onGesture, true);
addEventListener('keydown', onGesture, true);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') resumeAudio();
});

// A short beep and a vibration; a longer one at a round's end. `quiet`: the attendee turned
// sound off (the vibration and the flash stay).
function buzz(long, quiet = false) {
  if (!unlocked) return;
  try {
    navigator.vibrate?.(long ? [300, 120, 300] : 200);
    if (!audio || quiet) return;
    if (audio.state !== 'running') return resumeAudio();
    const t = audio.currentTime;
    const end = t + (long ? 0.6 : 0.15);
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = long ? 660 : 880;
    gain.gain.setValueAtTime(0.3, t);
    gain.gain.exponentialRampToValueAtTime(0.001, end);
    osc.connect(gain).connect(audio.destination);
    osc.start(t);
    osc.stop(end);
  } catch {
    // a nicety, never an error
  }
}

const started = new WeakMap();

/**
 * Connect a `[data-live]` root to its socket and keep it rendered. Once per root: a second call
 * returns the same controller.
 * @param {Element} root with data-live-url, the socket's path (e.g. /ws/a/<token>/)
 * @param {Partial<typeof DEFAULTS>} [options] timings, for tests and benchmarks
 * @returns {{serverNow: () => number, state: () => object|null, send: (msg: object) => void,
 *   reconnect: () => void, stop: () => void}}
 */
export function start(root, options = {}) {
  if (started.has(root)) return started.get(root);
  const o = { ...DEFAULTS, ...options };
  const texts = {};
  for (const [key, fallback] of Object.entries(TEXTS)) {
    texts[key] = root.dataset[`text${key[0].toUpperCase()}${key.slice(1)}`] || fallback;
  }
  const url = new URL(root.dataset.liveUrl || '', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';

  let socket = null;
  let state = null;
  let forbidden = false;
  let replaced = false; // closed with 4409: the link is open on a newer screen
  let stopped = false;
  let attempt = 0;
  let connection = '';
  let offset = null;
  let samples = [];
  let pending = new Map();
  let pingId = 0;
  // performance.now() times: monotonic, unlike Date.now()
  let lastHeard = 0;
  let unansweredSince = null;
  let lastPing = 0;
  let lastBurst = 0;
  let lastSnapshot = -Infinity;
  let connectedAt = 0;
  let wallMinusMono = null; // moves when the phone's clock is set
  let hiddenAt = null; // Date.now(): it keeps counting while the phone sleeps
  let prev = null;
  let lock = null; // a promise of the wake lock sentinel
  const timers = {};
  const mono = () => performance.now();
  const isOpen = () => socket?.readyState === WebSocket.OPEN;

  const serverNow = () => Date.now() + (offset ?? 0);
  const $ = (sel) => root.querySelector(sel);
  const emit = (name, detail) =>
    root.dispatchEvent(new CustomEvent(`speednet:${name}`, { detail }));
  const setAttr = (el, name, value) => {
    if (value == null || value === false) el?.removeAttribute(name);
    else if (el && el.getAttribute(name) !== String(value)) el.setAttribute(name, value);
  };
  // Text into the element matching `sel`; with `hide`, hidden while the text is empty.
  const put = (sel, text, hide) => {
    const el = $(sel);
    if (el && el.textContent !== text) el.textContent = text;
    if (hide) setAttr(el, 'hidden', !text && '');
  };

  function setConnection(status) {
    if (status === connection) return;
    connection = status;
    setAttr(root, 'data-connection', status);
    emit('connection', { status });
  }

  function send(msg) {
    if (isOpen()) socket.send(JSON.stringify(msg));
  }

  function ping() {
    if (!isOpen()) return;
    const id = ++pingId;
    const sent = Date.now();
    lastPing = mono();
    pending.set(id, { sent, perf: lastPing });
    unansweredSince ??= lastPing;
    send({ type: 'ping', id, t: sent });
  }

  // A few pings, each pingGap after the one before: the quickest round trip wins.
  function burst(n = o.pings) {
    clearTimeout(timers.burst);
    lastBurst = mono();
    ping();
    if (n > 1) timers.burst = setTimeout(burst, o.pingGap, n - 1);
  }

  function pong(msg) {
    const p = pending.get(msg.id);
    if (!p || !isNum(msg.server_time)) return;
    pending.delete(msg.id);
    // The round trip from performance.now(): sub-millisecond, and immune to clock changes.
    const at = mono();
    samples = samples.filter((s) => at - s.at < o.sampleAge).slice(1 - o.keepSamples);
    samples.push({ sent: p.sent, received: p.sent + at - p.perf, server: msg.server_time, at });
    offset = bestOffset(samples);
  }

  // At most one snapshot request a second (the server ignores more).
  function requestSnapshot() {
    if (timers.snapshot) return;
    timers.snapshot = setTimeout(() => {
      timers.snapshot = null;
      lastSnapshot = mono();
      send({ type: 'snapshot' });
    }, Math.max(0, lastSnapshot + 1000 - mono()));
  }

  // A resume takes effect at resumes_at: the new ends_at minus the time left when paused.
  function resumed(old, round) {
    if (old?.status !== 'paused' || round?.status !== 'running' || round.number !== old.number) {
      return round;
    }
    return { resumes_at: round.ends_at - (old.ends_at - old.paused_at), ...round };
  }

  // Apply an event-wide message; true when the state changed. A state replaces everything;
  // round and announce apply only above the version we have, and a gap asks for a snapshot.
  function apply(msg) {
    const { type, version } = msg;
    const round = msg.round ?? null;
    if (!isNum(version) || !isRound(round)) return false;
    if (type === 'state') {
      if (!msg.event || typeof msg.event !== 'object') return false;
      state = { version, event: msg.event, round, announcement: msg.announcement ?? null };
      if (offset === null && isNum(msg.server_time)) offset = msg.server_time - Date.now();
      return true;
    }
    if ((type !== 'round' && type !== 'announce') || !state || version <= state.version) {
      return false;
    }
    if (version > state.version + 1) requestSnapshot();
    state = { ...state, version };
    if (type === 'announce') {
      state.announcement = msg.announcement ?? null;
    } else {
      state.round = resumed(state.round, round);
      if (typeof msg.event_status === 'string') {
        state.event = { ...state.event, status: msg.event_status };
      }
    }
    return true;
  }

  function onMessage(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    }
    if (!msg || typeof msg.type !== 'string') return;
    if (msg.type === 'pong') pong(msg);
    else if (['card', 'card_ack', 'plan', 'presence', 'person', 'counters', 'people'].includes(msg.type)) emit(msg.type, msg);
    else if (msg.type === 'report') {
      // A report from an attendee (control sockets only): a long beep, then the page shows it.
      buzz(true);
      emit('report', msg);
    }
    else if (apply(msg)) {
      emit('state', state);
      if (msg.type === 'state') emit('snapshot', state);
      loop();
    }
  }

  function drop() {
    const ws = socket;
    socket = null;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.close();
  }

  function connect() {
    drop();
    if (stopped || forbidden || replaced) return;
    setConnection('reconnecting');
    const ws = (socket = new WebSocket(url));
    connectedAt = mono();
    pending = new Map(); // samples stay: a reconnect in a crowd may measure worse
    let heard = false;
    ws.onopen = () => {
      lastHeard = mono();
      unansweredSince = null;
      setConnection('open');
      burst();
    };
    ws.onmessage = (e) => {
      lastHeard = mono();
      unansweredSince = null;
      if (!heard) attempt = 0; // a server that answers: the backoff starts over
      heard = true;
      onMessage(e.data);
    };
    ws.onclose = (e) => {
      socket = null;
      if (e.code === 4409) {
        // Another screen opened this link: stay quiet (no retry, which would take the socket
        // back and start a tug of war) until this page is shown again.
        replaced = true;
        setConnection('replaced');
        return;
      }
      if (e.code !== 4403) return retry();
      forbidden = true;
      setConnection('closed');
      loop();
    };
  }

  function retry(now = false) {
    drop();
    clearTimeout(timers.retry);
    if (stopped || forbidden || replaced) return;
    setConnection('reconnecting');
    const delay = now ? 0 : backoffDelay(attempt++, Math.random, o.backoffBase, o.backoffCap);
    timers.retry = setTimeout(connect, delay);
  }

  // Heartbeat, clock refresh and dead-socket detection; run from the render loop.
  function housekeeping() {
    const t = mono();
    const wall = Date.now() - t;
    if (wallMinusMono !== null && Math.abs(wall - wallMinusMono) > 1000) {
      samples = []; // the phone's clock was set: measure again
      lastBurst = -Infinity;
    }
    wallMinusMono = wall;
    if (socket?.readyState === WebSocket.CONNECTING && t - connectedAt > o.connectTimeout) {
      return retry();
    }
    if (!isOpen()) return;
    // Silent although a ping has been out for a while. (A throttled background tab that pings
    // late is not dead.)
    const waited = unansweredSince !== null && t - unansweredSince > o.pingTimeout;
    if (waited && t - lastHeard > o.silence) return retry();
    if (t - lastBurst >= o.syncEvery) burst();
    else if (t - lastPing >= o.heartbeat) ping();
  }

  // aria-current on the current speaker of round `number`, data-next on the next one.
  function markTurn(number, turn, phase) {
    const next = turn !== null ? turn + 1 : phase === 'starting' ? 0 : null;
    let mine = false;
    for (const el of root.querySelectorAll('[data-seat-order]')) {
      const inRound = el.closest('[data-round-number]')?.dataset.roundNumber === String(number);
      const k = Number(el.dataset.seatOrder);
      const current = inRound && k === turn;
      setAttr(el, 'aria-current', current && 'true');
      setAttr(el, 'data-next', inRound && k === next && 'true');
      mine ||= current && el.dataset.isMe === 'true';
    }
    setAttr(root, 'data-my-turn', mine && 'true');
  }

  // The announcer's sentence for a new turn, as [text, values]: mine, a name, or "Turn 3"
  // without a seat list (the control page, the projector), which says "Open conversation" once
  // the largest table's pitches (`pitches`) are over, as the phones do, and nothing after that.
  function turnText(number, turn, pitches) {
    const list = $(`[data-round-number="${number}"]`);
    const seat = list?.querySelector(`[data-seat-order="${turn}"]`);
    if (seat?.dataset.isMe === 'true') return [texts.yourTurn];
    const name = seat?.querySelector('[data-name]')?.textContent.trim();
    if (name) return [texts.nowPitching, { name }];
    if (list) return [''];
    if (isNum(pitches) && turn >= pitches) return [turn === pitches ? texts.openTalk : ''];
    return [texts.turn, { turn: turn + 1 }];
  }

  // Say `said` ([text, values] each, their {placeholders} named apart) in the announcer, one
  // sentence after the other; a name ({name}) isolated, as text.
  function announce(said) {
    const spoken = said.filter(([text]) => text);
    if (!spoken.length) return;
    const text = spoken.map(([sentence]) => sentence).join(' ');
    const values = Object.assign({}, ...spoken.map(([, v]) => v ?? {}));
    fillInto($('[data-live-announcer]'), text, values, ['name']);
  }

  // Buzz and announce what changed since the last render, if it has just happened.
  function cue(phase, round, turn, pitch, now) {
    const p = prev;
    prev = { phase, number: round?.number, turn };
    if (!p || !round) return;
    const fresh = (at) => now - at < o.fresh;
    const running = phase === 'running';
    const said = [];
    if (running && !LIVE.has(p.phase) && fresh(round.starts_at)) {
      said.push([texts.roundStarts, { round: round.number }]);
    }
    const changed = turn !== p.turn || round.number !== p.number;
    const newTurn = running && turn !== null && changed && fresh(round.turns_at + turn * pitch);
    if (newTurn) said.push(turnText(round.number, turn, round.pitches));
    const over = LIVE.has(p.phase) && AFTER.has(phase) && fresh(round.ended_at ?? round.ends_at);
    const overHere = over && satIn(round.number);
    const closed = phase === 'closed' && p.phase !== 'closed';
    // the close replaces whatever was said last ("The round is over." stays no longer)
    if (closed) said.push([texts.eventClosed]);
    else if (overHere) said.push([texts.roundOver]);
    announce(said);
    if (newTurn || over) {
      buzz(over, root.dataset.sound === 'off');
      flash();
    }
  }

  // Whether this page's person sat in round `number`: "The round is over" is said only to them,
  // not to a walk-in or someone seated from a later round (no stop of that round in the
  // itinerary), nor to someone marked gone or taken out of the rounds. A page without an
  // itinerary (the control page, the projector) speaks for the room: always.
  function satIn(number) {
    const itinerary = $('[data-itinerary]');
    if (!itinerary) return true;
    if (itinerary.dataset.left === 'true' || itinerary.dataset.removed === 'true') return false;
    return itinerary.querySelector(`.stop[data-round-number="${number}"]`) !== null;
  }

  // A visible cue at each pitch change and round end, for people who cannot hear the beep or
  // feel the vibration: the root carries data-flash for a moment (styled by the page's CSS).
  function flash() {
    clearTimeout(timers.flash);
    root.setAttribute('data-flash', '');
    timers.flash = setTimeout(() => root.removeAttribute('data-flash'), 800);
  }

  // Keep the screen on while a round runs; the browser drops the lock when the page hides.
  function wakeLock(want) {
    if (want && !lock && navigator.wakeLock && document.visibilityState === 'visible') {
      const forget = () => lock === mine && (lock = null);
      const mine = navigator.wakeLock.request('screen').then((sentinel) => {
        sentinel.addEventListener('release', forget);
        return sentinel;
      }, forget);
      lock = mine;
    } else if (!want && lock) {
      lock.then((sentinel) => sentinel?.release());
      lock = null;
    }
  }

  // This page's person's table in round `number` (their itinerary's stop), or undefined: a
  // page without an itinerary (the control page, the projector) counts the round's own turns.
  function myTable(number) {
    return $(`[data-itinerary] .stop[data-round-number="${number}"]`)?.dataset.tableNumber;
  }

  // The state as this page counts turns: at its person's table (`atTable`).
  function atMyTable(s) {
    const round = s?.round;
    const mine = round ? atTable(round, myTable(round.number)) : round;
    return mine === round ? s : { ...s, round: mine };
  }

  function render(now) {
    const phase = forbidden ? 'forbidden' : phaseOf(state, now);
    const round = atMyTable(state)?.round ?? null;
    const event = state?.event ?? {};
    const turn = LIVE.has(phase) ? currentTurn(round, event.pitch_ms, now) : null;
    const startsIn = phase === 'starting' ? Math.ceil((round.starts_at - now) / 1000) : null;
    setAttr(root, 'data-phase', phase);
    setAttr(root, 'data-round', round?.number);
    setAttr(root, 'data-turn', turn);
    setAttr(root, 'data-starts-in', startsIn);
    put('[data-live-clock]', formatClock(round ? remainingMs(round, now) : event.round_ms));
    put('[data-live-round]', String(round?.number ?? ''));
    put('[data-live-rounds-count]', String(event.rounds_count ?? ''));
    put('[data-live-starts-in]', String(startsIn ?? ''), true);
    put('[data-live-announcement]', announcementAt(state, now), true);
    markTurn(round?.number, turn, phase);
    cue(phase, round, turn, event.pitch_ms, now);
    wakeLock(phase === 'starting' || LIVE.has(phase));
    emit('render', { now, phase, state, turn });
  }

  // Render, then sleep until the next change as seen from the same instant: reading the clock
  // again could step over a flip (Date.now() moves in whole ms) and miss it by a second.
  function loop() {
    clearTimeout(timers.tick);
    if (stopped) return;
    if (!root.isConnected) return stop();
    const now = serverNow();
    try {
      housekeeping();
      render(now);
    } catch (error) {
      console.error(error);
    }
    timers.tick = setTimeout(loop, msToNextChange(atMyTable(state), now));
  }

  function onVisibility() {
    if (document.visibilityState === 'hidden') {
      hiddenAt = Date.now();
      return;
    }
    if (replaced && hiddenAt !== null) replaced = false; // shown again: use the link here
    if (!isOpen() || Math.abs(Date.now() - (hiddenAt ?? Date.now())) > o.hiddenFor) {
      attempt = 0;
      retry(true);
    }
    hiddenAt = null;
    loop();
  }

  function onOnline() {
    if (!isOpen()) retry(true);
  }

  // The phone lost its network: a socket that looks open will hear nothing (nor close for up to
  // `silence`), so it is dropped at once and the page says it is reconnecting; `online` brings
  // it back.
  function onOffline() {
    if (socket) retry();
  }

  function stop() {
    stopped = true;
    for (const t of Object.values(timers)) clearTimeout(t);
    drop();
    document.removeEventListener('visibilitychange', onVisibility);
    removeEventListener('online', onOnline);
    removeEventListener('offline', onOffline);
    wakeLock(false);
    setConnection('closed');
    started.delete(root);
  }

  // The state the page was rendered with, so the first paint is right before the socket opens;
  // the snapshot on connect replaces it.
  const embedded = root.dataset.liveState && document.getElementById(root.dataset.liveState);
  if (embedded) {
    try {
      apply(JSON.parse(embedded.textContent));
    } catch {
      // a page without a usable state waits for the socket
    }
  }

  // A change the attendee must not miss (their coming table changed): the round change's cue.
  const alert = () => {
    buzz(true, root.dataset.sound === 'off');
    flash();
  };
  const api = { serverNow, state: () => state, send, isOpen, reconnect: () => retry(true), stop, alert };
  started.set(root, api);
  document.addEventListener('visibilitychange', onVisibility);
  addEventListener('online', onOnline);
  addEventListener('offline', onOffline);
  connect();
  loop();
  return api;
}

function startAll() {
  for (const root of document.querySelectorAll('[data-live]')) start(root);
}

if (document.readyState === 'loading') addEventListener('DOMContentLoaded', startAll);
else startAll();
