// What to do now: the one rule the phone and the projector follow (DESIGN.md, "The phone's now
// is one function"). Pure functions of the event state (docs/protocol.md), the attendee's
// itinerary and the server time; the page renders their answer, whether it stayed open,
// reconnected or was loaded fresh, so every phone says the same thing in the same state.

import { atTable, currentTurn, phaseOf, remainingMs } from './live.js';

const SEATED = new Set(['starting', 'running', 'paused']);

/**
 * The pitch slot running at `now` in a round: which pitch of how many, and the time left in it.
 * @param {object|null} round the protocol's round shape
 * @param {number} pitchMs the pitch length
 * @param {number} count pitch slots at this table (its seats), or the round's largest table
 * @param {number} now server epoch ms (frozen at paused_at while paused)
 * @returns {{index: number, count: number, leftMs: number}|null} index is 0-based; null before
 *   the first slot and after the last one (the table talks freely), and without a round
 */
export function pitchSlot(round, pitchMs, count, now) {
  const turn = currentTurn(round, pitchMs, now);
  if (turn === null || !(count > 0) || turn >= count) return null;
  const slotEnd = round.turns_at + (turn + 1) * pitchMs;
  return { index: turn, count, leftMs: Math.min(slotEnd, round.ends_at) - readAtRound(round, now) };
}

// The instant a round's clocks read (frozen while paused, held until resumes_at).
function readAtRound(round, now) {
  return round.ends_at - remainingMs(round, now);
}

/**
 * The big screen's stage: what the projector shows at `now`.
 * @param {object|null} state
 * @param {number} now server epoch ms
 * @returns {{kind: string, round: number|null, roundsCount: number|null, clockMs: number|null,
 *   pitch: object|null, startsIn: number|null}} kind is one of connecting, draft (check-in
 *   not open yet: the join page turns phones away, so nothing invites them to scan), check_in,
 *   starting, running, paused, between (round: the next one), last_over, mingle, closed
 */
export function screenFor(state, now) {
  const phase = phaseOf(state, now);
  const event = state?.event ?? {};
  const r = state?.round ?? null;
  const base = {
    kind: phase,
    round: r?.number ?? null,
    roundsCount: event.rounds_count ?? null,
    clockMs: null,
    pitch: null,
    startsIn: null,
  };
  if (phase === 'connecting' || phase === 'mingle' || phase === 'closed') return base;
  if (event.status === 'draft') return { ...base, kind: 'draft', round: null };
  if (phase === 'before') return { ...base, kind: 'check_in', round: event.has_plan ? 1 : null };
  if (phase === 'between') {
    if (r.number >= event.rounds_count) return { ...base, kind: 'last_over' };
    return { ...base, round: r.number + 1 };
  }
  return {
    ...base,
    clockMs: remainingMs(r, now),
    pitch: phase === 'starting' ? null : pitchSlot(r, event.pitch_ms, r.pitches, now),
    startsIn: phase === 'starting' ? Math.ceil((r.starts_at - now) / 1000) : null,
  };
}

/**
 * Whether a seating plan or re-plan can still come, as the server's Event.has_seating_ahead
 * says: before the rounds, and while a round of the plan is still to start. Not once the last
 * round has started (no round is left to seat), nor in mingle or after the close. What the
 * room's "Don't seat me with…" acts on.
 * @param {object|null} state the protocol's state
 * @returns {boolean|null} null before any state arrived (the page's own answer stands)
 */
export function hasSeatingAhead(state) {
  const event = state?.event;
  if (!event) return null;
  if (event.status === 'draft' || event.status === 'check_in') return true;
  if (event.status !== 'live') return false;
  return !state.round || state.round.number < event.rounds_count;
}

/**
 * Which "write your pitch" prompt the room shows someone without a pitch, as the server's
 * rounds.queries.pitch_prompt says for a fresh load: `before` until the first round starts
 * (the plan may still come), `rounds` once the rounds have started (the room shows it to
 * someone without a table yet: written now, it is ready when they get one), `none` once the
 * last round has started (no table is to come; mingle and closed too) and, whatever the
 * state, for someone taken out of the rounds after a report (no table left).
 * @param {object|null} state the protocol's state
 * @param {number} now server epoch ms
 * @param {boolean} [removed] the itinerary's `removed` (docs/protocol.md, `presence`)
 * @returns {'before'|'rounds'|'none'|null} null before any state arrived (the page's own
 *   answer stands)
 */
export function pitchPromptFor(state, now, removed = false) {
  const kind = screenFor(state, now).kind;
  if (kind === 'connecting') return null;
  if (removed) return 'none';
  if (kind === 'draft' || kind === 'check_in') return 'before';
  if (kind === 'last_over' || kind === 'mingle' || kind === 'closed') return 'none';
  if (hasSeatingAhead(state) === false) return 'none'; // the last round started: no table to come
  return 'rounds';
}

/**
 * The attendee's itinerary as the room page holds it (from its itinerary fragment).
 * @typedef {{left: boolean, removed: boolean, checkedIn: boolean,
 *   stops: Map<number, {table: number,
 *     seats: {order: number, name: string, isMe: boolean, id: number|null}[]}>}}
 *   Itinerary (a seat's `id`: the tablemate's attendee id, from their `data-person` or else
 *   their card buttons; null for me). Every seat counts, an erased tablemate's too: the pitch
 *   slots are the table's seats (someone leaving mid-round, erased too, leaves their seat).
 */

/**
 * The one instruction a phone shows at `now`.
 * @param {object|null} state the protocol's state (null before any arrived)
 * @param {Itinerary} itinerary
 * @param {number} now server epoch ms
 * @param {boolean} [gone] the socket was refused (4403): the link no longer works
 * @returns {{kind: string, round: number|null, table: number|null, stop: number|null,
 *   cards: boolean, pitcher: string|null, clockMs: number|null, pitch: object|null,
 *   startsIn: number|null}}
 *   kind is one of connecting, gone, welcome, waiting_plan, first_table, joins_later,
 *   not_seated, table_at_start, left,
 *   removed, starting, my_turn, listening, open_talk, paused, move, stay, mingle, closed,
 *   closed_absent (closed, and they never checked in), mingle_absent (the rounds are over, and
 *   they never checked in); `stay`: between rounds, the next
 *   round's table is the one they sit at (else `move`); `joins_later`: no seat in the round
 *   under way (or about to start) but one in a later round, which `round`, `table` and `stop`
 *   name (a walk-in seated by a re-plan during a round); `not_seated`: no seat in that round
 *   nor any later one; `table_at_start`: the same, checked in at an event that seats walk-ins as
 *   a round starts, so round `round` (the next to start) gives them a table; `left`: the
 *   organizer marked the attendee gone, so they have no table (their seat in the round under way
 *   is vacated, the coming rounds re-planned without them)
 *   until they check in again at the door; `removed`: taken out of the rounds after a report
 *   (the itinerary's `removed`), whatever the event's state: no table, no cards to give, no
 *   mingle invitation, only their leads (feedback.views.room renders it so on a fresh load). `round` is the round the instruction is about; `table`
 *   the attendee's table in it; `stop` the itinerary stop to show (null: none); `cards`
 *   whether cards can be given to that stop's tablemates now.
 */
export function instructionFor(state, itinerary, now, gone = false) {
  const none = {
    kind: 'connecting',
    round: null,
    table: null,
    stop: null,
    cards: false,
    pitcher: null,
    clockMs: null,
    pitch: null,
    startsIn: null,
  };
  if (gone) return { ...none, kind: 'gone' };
  const screen = screenFor(state, now);
  const seatedIn = (number) => itinerary.stops.get(number) ?? null;
  // No seat in round `number`: a seat in a later one (a walk-in a re-plan seated from the next
  // round on) is where they join; no seat in any round from `number` on yet: they wait, calmly
  // told, for the organizer to seat them (the control panel lists who is not seated), or, when
  // the event seats walk-ins as a round starts (`seats_walk_ins`) and they are checked in, for
  // round `next` (the next round to start) to give them a table.
  const notSeated = (number, next = number) => {
    const later = [...itinerary.stops.keys()].filter((n) => n > number).sort((a, b) => a - b)[0];
    if (later !== undefined) {
      return { ...none, kind: 'joins_later', round: later, table: seatedIn(later).table, stop: later };
    }
    const event = state?.event ?? {};
    if (event.seats_walk_ins && event.has_plan && itinerary.checkedIn && next <= event.rounds_count) {
      return { ...none, kind: 'table_at_start', round: next };
    }
    // Not checked in (registered, not at the door yet): the plan seats only those here, so
    // their table comes once they check in, as before the plan; not "You're checked in".
    if (!itinerary.checkedIn) return { ...none, kind: 'welcome' };
    return { ...none, kind: 'not_seated', round: number };
  };
  const at = (kind, number, extra = {}) => {
    const stop = seatedIn(number);
    if (!stop) return notSeated(number);
    return { ...none, kind, round: number, table: stop.table, stop: number, ...extra };
  };
  // Taken out of the rounds after a report: no table from now on, said neutrally, in every
  // state (the seat of the round under way too, which no re-plan changes; the last round's end
  // and mingle too, whose invitation is not for them). Known from the page before any state.
  if (itinerary.removed) return { ...none, kind: 'removed', round: screen.round };
  // Never checked in (a no-show opening the link afterwards): over, without thanks for coming.
  if (screen.kind === 'closed' && !itinerary.checkedIn) return { ...none, kind: 'closed_absent' };
  // Never checked in once the rounds are over: no leads to look at; the mingling is still open
  // to them, through the door.
  if (['last_over', 'mingle'].includes(screen.kind) && !itinerary.checkedIn) return { ...none, kind: 'mingle_absent' };
  if (['connecting', 'mingle', 'closed'].includes(screen.kind)) return { ...none, kind: screen.kind };
  if (screen.kind === 'last_over') return { ...none, kind: 'mingle' };
  // Marked gone: no table, whatever seats the plan still holds until the next re-plan.
  if (itinerary.left) return { ...none, kind: 'left', round: screen.round };
  switch (screen.kind) {
    case 'draft': // a personal link opened before check-in opens: as at the door
    case 'check_in':
      if (seatedIn(1)) return at('first_table', 1);
      if (state.event.has_plan) return notSeated(1);
      return { ...none, kind: itinerary.checkedIn ? 'waiting_plan' : 'welcome' };
    case 'between': {
      // Staying put is not moving: the same table in the round just over and the next one.
      const before = seatedIn(state.round.number);
      const next = seatedIn(screen.round);
      return at(before && next && before.table === next.table ? 'stay' : 'move', screen.round);
    }
    default:
      break;
  }
  // starting, running or paused: the current round, at the attendee's own table.
  const stop = seatedIn(state.round.number);
  if (!stop) return notSeated(state.round.number, state.round.number + 1);
  const r = atTable(state.round, stop.table); // its turns, shifted if a pitcher left mid-slot
  const pitch = pitchSlot(r, state.event.pitch_ms, pitchSlots(stop), now);
  const speaker = pitch && stop.seats.find((seat) => seat.order === pitch.index);
  const live = { cards: true, clockMs: screen.clockMs, pitch, pitcher: speaker?.name ?? null };
  if (screen.kind === 'starting') return at('starting', r.number, { ...live, startsIn: screen.startsIn });
  if (screen.kind === 'paused') return at('paused', r.number, live);
  if (speaker?.isMe) return at('my_turn', r.number, live);
  return at(speaker ? 'listening' : 'open_talk', r.number, live);
}

/**
 * A table's pitch slots: one more than its highest speaking order. Its seats, unless someone
 * who had pitched left mid-round (marked gone, removed after a report, erased): then every later
 * slot stays where it was and the current pitcher keeps their turn.
 * @param {{seats: {order: number}[]}} stop
 * @returns {number}
 */
export function pitchSlots(stop) {
  return stop.seats.reduce((slots, seat) => Math.max(slots, seat.order + 1), 0);
}

/**
 * The itinerary held in the page: `[data-itinerary]` (its data-left, data-removed and
 * data-checked-in) with a `.stop` per round (data-round-number, data-table-number) listing `[data-seat-order]` seats.
 * @param {Element|null} container
 * @returns {Itinerary}
 */
export function readItinerary(container) {
  const stops = new Map();
  for (const stop of container?.querySelectorAll('.stop[data-round-number]') ?? []) {
    const seats = [...stop.querySelectorAll('[data-seat-order]')].map((seat) => ({
      order: Number(seat.dataset.seatOrder),
      name: seat.querySelector('[data-name]')?.textContent.trim() ?? '',
      isMe: seat.dataset.isMe === 'true',
      id: seat.dataset.isMe === 'true' ? null : Number(seat.dataset.person || seat.querySelector('[data-receiver]')?.dataset.receiver) || null,
    }));
    stops.set(Number(stop.dataset.roundNumber), { table: Number(stop.dataset.tableNumber), seats });
  }
  return {
    left: container?.dataset.left === 'true',
    removed: container?.dataset.removed === 'true',
    checkedIn: container?.dataset.checkedIn === 'true',
    stops,
  };
}

/**
 * The JSON a page carries in `<script type="application/json" id=…>` (Django's json_script).
 * @param {string|undefined} id
 * @param {*} fallback what to return without the element or with unreadable JSON
 */
export function readJson(id, fallback) {
  try {
    const element = id && document.getElementById(id);
    return element ? JSON.parse(element.textContent) ?? fallback : fallback;
  } catch {
    return fallback;
  }
}
