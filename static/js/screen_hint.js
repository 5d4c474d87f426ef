// The phone page over plain HTTP on the venue LAN: browsers keep the wake lock (like the camera)
// for secure contexts (HTTPS or localhost), so the screen may dim and lock mid-round. Nothing
// breaks (live.js asks for the lock only where it exists); this module tells the attendee to
// keep the screen on instead. The markup is templates/feedback/partials/screen_hint.html, which
// loads this module; it runs once when the page has been parsed.

/**
 * Whether this page cannot keep the screen on by itself.
 * @param {Navigator} nav the browser's navigator (a stand-in in tests)
 * @returns {boolean} true when there is no usable wake lock (insecure context, old browser)
 */
export function needsScreenHint(nav = navigator) {
  return typeof nav?.wakeLock?.request !== 'function';
}

/**
 * Show or hide every `[data-screen-hint]` under `root`.
 * Call it with `force: true` when a wake lock request is refused (battery saver, for one).
 * @param {ParentNode} root where to look (the document by default)
 * @param {{nav?: Navigator, force?: boolean}} options
 * @returns {boolean} whether the hint is shown
 */
export function showScreenHint(root = document, { nav = navigator, force = false } = {}) {
  const show = force || needsScreenHint(nav);
  for (const hint of root.querySelectorAll('[data-screen-hint]')) hint.hidden = !show;
  return show;
}

showScreenHint();
