// Building the page's elements in a few words.

/** An element: h("label", {class: "x", for: "id"}, "text", child, ...). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (value === true) element.setAttribute(key, "");
    else element.setAttribute(key, value);
  }
  element.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return element;
}

let counter = 0;
/** An id unique on the page, for labels and ARIA references. */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A status line that shows an error's message (an API problem's detail), or nothing. */
export function alertLine() {
  const element = h("p", { class: "error", role: "alert" });
  element.hidden = true;
  return {
    element,
    show(error) {
      element.textContent = error ? String(error.message ?? error) : "";
      element.hidden = !error;
    },
  };
}
