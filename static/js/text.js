// Sentences with values in them, for every page's scripts: the one way a name (or anything else
// a person typed) goes into a sentence, each in its own <bdi>, as text (never markup).

/**
 * Fill a text's {placeholders}: fill('Move to table {table}', {table: 7}).
 * @param {string} text
 * @param {object} values
 * @returns {string}
 */
export function fill(text, values) {
  return String(text ?? '').replace(/\{(\w+)\}/g, (whole, key) => (key in values ? values[key] : whole));
}

/**
 * What a person typed (a name, a note), as a <bdi> holding it as text: an Arabic name keeps its
 * own direction without reordering the sentence around it. Shown `shortened`, the `whole` value
 * is its title.
 * @param {*} value
 * @param {*} [whole] the whole value, when `value` is its shortened form
 * @returns {HTMLElement}
 */
export function isolated(value, whole = value) {
  const bdi = document.createElement('bdi');
  bdi.textContent = String(value ?? '');
  if (String(whole ?? '') !== bdi.textContent) bdi.title = String(whole ?? '');
  return bdi;
}

// What follows a base character in the same cluster when Intl.Segmenter is missing: combining
// marks (an accent typed as its own code point, Indic vowel signs), variation selectors, the
// zero-width non-joiner, emoji skin tones and tag characters.
const EXTEND = '[\\p{M}\\u200C\\u{1F3FB}-\\u{1F3FF}\\u{E0020}-\\u{E007F}]';
// A cluster without Intl.Segmenter: CR LF, a flag (two regional indicators), or one code point
// with what extends it, joined by zero-width joiners to the next ones (a family emoji).
const CLUSTER = new RegExp(`\\r\\n|[\\u{1F1E6}-\\u{1F1FF}]{2}|[^]${EXTEND}*(?:\\u200D[^]${EXTEND}*)*`, 'gu');

/**
 * The characters a reader sees in `value` (grapheme clusters): by Intl.Segmenter where the
 * browser has it, else by code points, each kept with the combining marks, joiners and
 * selectors that follow it. Never half a surrogate pair, never an accent without its letter.
 * @param {*} value
 * @returns {string[]}
 */
export function graphemes(value) {
  const text = String(value ?? '');
  if (typeof Intl !== 'undefined' && typeof Intl.Segmenter === 'function') {
    return Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text), (part) => part.segment);
  }
  return text.match(CLUSTER) ?? [];
}

/**
 * `value` in at most `max` characters as a reader counts them (`graphemes`): whole if it fits,
 * else its first ones and "…" (counted in `max`).
 * @param {*} value
 * @param {number} max
 * @returns {string}
 */
export function shortened(value, max) {
  const text = String(value ?? '');
  const parts = graphemes(text);
  if (parts.length <= max) return text;
  return `${parts.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…`;
}

/**
 * `text` with its {placeholders} filled, into `el` (unless it already says so): the values named
 * in `people` (what a person typed: a name, a note) each `isolated`, so an Arabic name does not
 * reorder the sentence around it. Text nodes only, no markup parsed (CSP-safe); `el.textContent`
 * ends up equal to `fill(text, values)`, or to `fill` of the values as shown when `short` limits
 * some of them: `short` maps a name in `people` to the most characters it takes in the sentence
 * (`shortened`; the whole value is the title of its <bdi>).
 * @param {Element|null} el
 * @param {string} text
 * @param {Object<string, *>} values
 * @param {string[]} people
 * @param {Object<string, number>} short
 */
export function fillInto(el, text, values, people = [], short = {}) {
  if (!el) return;
  const shown = { ...values };
  for (const [key, max] of Object.entries(short)) {
    if (key in values && people.includes(key)) shown[key] = shortened(values[key], max);
  }
  const parts = String(text ?? '').split(/\{(\w+)\}/);
  const titles = parts
    .filter((part, i) => i % 2 === 1 && part in values && people.includes(part))
    .map((part) => (String(shown[part] ?? '') === String(values[part] ?? '') ? '' : String(values[part] ?? '')));
  const hasTitles = [...el.querySelectorAll('bdi')].map((bdi) => bdi.title).join('\n') === titles.join('\n');
  if (el.textContent === fill(text, shown) && hasTitles) return;
  el.replaceChildren(
    ...parts.map((part, i) => {
      if (i % 2 === 0) return document.createTextNode(part);
      if (!(part in values)) return document.createTextNode(`{${part}}`);
      if (!people.includes(part)) return document.createTextNode(String(values[part]));
      return isolated(shown[part], values[part]);
    }),
  );
}
