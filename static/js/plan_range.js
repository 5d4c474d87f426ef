// The table sizes the plan page compares: the browser keeps the smallest at or below the
// largest, as the server does (the inputs' own min/max are the planner's bounds).

for (const form of document.querySelectorAll('[data-size-range]')) {
  const low = form.querySelector('[name=low]');
  const high = form.querySelector('[name=high]');
  if (!low || !high) continue;
  const bounds = { min: low.min, max: high.max };
  const within = (value) =>
    value !== '' && Number(value) >= Number(bounds.min) && Number(value) <= Number(bounds.max);
  // Each input's limit is the other's value, when that is a size the planner seats.
  const follow = () => {
    high.min = within(low.value) ? low.value : bounds.min;
    low.max = within(high.value) ? high.value : bounds.max;
  };
  low.addEventListener('input', follow);
  high.addEventListener('input', follow);
  follow();
}
