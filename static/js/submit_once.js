// Forms marked data-submit-once are sent once: a second tap on the button while the first send
// is on its way does nothing (the button is disabled). The server joins a repeated send once
// anyway (the form's nonce); this spares the phone the extra requests. Coming back to the page
// from the browser's history makes the form usable again.
function submitButtons(form) {
  return form.querySelectorAll('button[type=submit], button:not([type])');
}

function sendOnce(event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.matches('form[data-submit-once]')) return;
  if (form.dataset.sent === 'true') {
    event.preventDefault();
    return;
  }
  form.dataset.sent = 'true';
  form.setAttribute('aria-busy', 'true');
  // Disabled now, a button would leave its own name and value out of this send: the buttons of
  // such a form carry none.
  for (const button of submitButtons(form)) button.disabled = true;
}

function reopen(event) {
  if (!event.persisted) return;
  for (const form of document.querySelectorAll('form[data-submit-once][data-sent]')) {
    delete form.dataset.sent;
    form.removeAttribute('aria-busy');
    for (const button of submitButtons(form)) button.disabled = false;
  }
}

document.addEventListener('submit', sendOnce);
window.addEventListener('pageshow', reopen);
