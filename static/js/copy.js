// "Copy" buttons: data-copy names the field whose value goes to the clipboard. Without this
// script (or a clipboard) the button stays hidden and the link is selectable text.
for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.querySelector(button.dataset.copy);
  if (!field || !navigator.clipboard) continue;
  const label = button.textContent;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      button.textContent = button.dataset.textDone;
    } catch {
      field.select();
    }
    window.setTimeout(() => {
      button.textContent = label;
    }, 2000);
  });
}
