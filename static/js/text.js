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
 * own direction without reordering the sentence around it.
 * @param {*} value
 * @returns {HTMLElement}
 */
export function isolated(value) {
  const bdi = document.createElement('bdi');
  bdi.textContent = String(value ?? '');
  return bdi;
}

/**
 * `text` with its {placeholders} filled, into `el` (unless it already says so): the values named
 * in `people` (what a person typed: a name, a note) each `isolated`, so an Arabic name does not
 * reorder the sentence around it. Text nodes only, no markup parsed (CSP-safe); `el.textContent`
 * ends up equal to `fill(text, values)`.
 * @param {Element|null} el
 * @param {string} text
 * @param {Object<string, *>} values
 * @param {string[]} people
 */
export function fillInto(el, text, values, people = []) {
  if (!el || el.textContent === fill(text, values)) return;
  const parts = String(text ?? '').split(/\{(\w+)\}/);
  el.replaceChildren(
    ...parts.map((part, i) => {
      if (i % 2 === 0) return document.createTextNode(part);
      if (!(part in values)) return document.createTextNode(`{${part}}`);
      if (!people.includes(part)) return document.createTextNode(String(values[part]));
      return isolated(values[part]);
    }),
  );
}
