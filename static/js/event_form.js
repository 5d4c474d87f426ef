// A new event starts in the organizer's own time zone (the browser's), not UTC: the field is
// filled once, before anything is typed; the server still checks the name.
const field = document.querySelector('input[data-browser-zone="fill"]');
if (field && !field.dataset.touched) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && (field.value === '' || field.value === 'UTC')) field.value = zone;
  field.addEventListener('input', () => { field.dataset.touched = 'true'; }, { once: true });
}
