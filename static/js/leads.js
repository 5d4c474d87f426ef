// The leads page: a step on an introduction swaps its card in place (htmx). Buttons that arrive
// under a finger take no tap for a moment, so a double tap on "Accept" or "I made the
// introduction" never lands on the button that replaced it.
const SETTLE_MS = 900;

function settle(root) {
  const buttons = root.querySelectorAll("button[data-action], summary");
  for (const button of buttons) {
    button.dataset.settling = "true";
    if (button.tagName === "BUTTON") button.disabled = true;
  }
  window.setTimeout(() => {
    for (const button of buttons) {
      delete button.dataset.settling;
      if (button.tagName === "BUTTON") button.disabled = false;
    }
  }, SETTLE_MS);
}

// A <summary> cannot be disabled: swallow its taps while it settles.
document.addEventListener(
  "click",
  (event) => {
    const summary = event.target.closest("summary[data-settling]");
    if (summary) event.preventDefault();
  },
  true,
);

document.addEventListener("htmx:load", (event) => {
  const element = event.detail.elt;
  if (element instanceof Element && element.matches(".introduction")) settle(element);
});
