// The pitch editor: a live estimate of the spoken length (the server counts the same way:
// pitches/models.py) and a rehearsal timer.

// as pitches/models.py CJK_RANGES: Han ideographs (with the extensions beyond the BMP) and kana
const CJK = /[\u3040-\u30ff\u31f0-\u31ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f\u{20000}-\u{3134f}]/gu;

/** Spoken words: Latin words and numbers once, each CJK character once (as the server). */
export function countWords(text) {
  const cjk = (text.match(CJK) || []).length;
  const rest = text.replace(CJK, ' ').split(/\s+/).filter(Boolean).length;
  return cjk + rest;
}

/**
 * Seconds to say `text`, rounded up, as the server says them (pitches/models.py
 * spoken_seconds, in the same integer arithmetic): each CJK character at `cpm` characters a
 * minute (240: Mandarin, one syllable a character, is read aloud at about 5.2 syllables a
 * second, Pellegrino, Coupé and Marsico 2011, Language 87(3); a pitch a little slower), every
 * other word at `wpm` words a minute (150, a calm English pace), mixed text the sum.
 * @param {string} text
 * @param {number} wpm words a minute
 * @param {number} cpm CJK characters a minute
 * @returns {number}
 */
export function spokenSeconds(text, wpm, cpm) {
  const characters = (String(text).match(CJK) || []).length;
  const words = countWords(String(text)) - characters;
  const spoken = 60 * (characters * wpm + words * cpm);
  return Math.ceil(spoken / (wpm * cpm));
}

function formatClock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function startEditor(form) {
  const limit = Number(form.dataset.limitSeconds);
  const wpm = Number(form.dataset.wordsPerMinute);
  const cpm = Number(form.dataset.cjkCharactersPerMinute);
  const output = form.querySelector('[data-pitch-length]');
  const fields = [...form.querySelectorAll('textarea[name="need"], textarea[name="offer"], input[name="ask"]')];
  const update = () => {
    const seconds = spokenSeconds(fields.map((f) => f.value).join('\n'), wpm, cpm);
    const over = seconds > limit;
    output.textContent = (over ? form.dataset.textOver : form.dataset.textEstimate).replace('%s', seconds);
    output.classList.toggle('is-over', over);
  };
  form.addEventListener('input', update);
  update();
}

function startRehearsal(button) {
  const clock = document.querySelector('[data-rehearse-clock]');
  const limit = Number(document.querySelector('[data-pitch-form]')?.dataset.limitSeconds || 30);
  let timer = null;
  const stop = () => {
    clearInterval(timer);
    timer = null;
    button.textContent = button.dataset.textStart;
  };
  button.addEventListener('click', () => {
    if (timer) return stop();
    const endsAt = performance.now() + limit * 1000;
    button.textContent = button.dataset.textStop;
    const tick = () => {
      const left = (endsAt - performance.now()) / 1000;
      clock.textContent = formatClock(left);
      if (left <= 0) {
        stop();
        navigator.vibrate?.(200);
      }
    };
    tick();
    timer = setInterval(tick, 200);
  });
}

for (const form of document.querySelectorAll('[data-pitch-form]')) startEditor(form);
for (const button of document.querySelectorAll('[data-rehearse]')) startRehearsal(button);
