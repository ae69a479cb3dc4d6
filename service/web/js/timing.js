// Requests follow input at a measured pace: a burst of changes sends one request, and an
// answer that a newer request has made stale is dropped (its request aborted).

/** `fn` called once, `ms` after the last of a burst of calls, with that call's arguments. */
export function debounce(fn, ms) {
  let timer = null;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}

/** A runner of tasks of which only the latest counts: starting one aborts the one before. */
export function latest() {
  let controller = null;
  return (task) => {
    controller?.abort();
    controller = new AbortController();
    return task(controller.signal);
  };
}
