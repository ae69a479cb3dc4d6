// Choosing an activation by name or alias: a search box with the catalog as suggestions.
// What is typed goes to the API as it is, which resolves aliases and answers an unknown name
// with a problem whose detail suggests the nearest ones.

import { h, uid } from "./dom.js";

/**
 * A labelled search box offering `entries` (catalog summaries) and their aliases; `onPick(text)`
 * runs when a choice is committed (a suggestion picked, Enter, or leaving the box changed).
 */
export function activationPicker({ entries, label, value = "", onPick }) {
  const id = uid("activation");
  const listId = uid("activations");
  const options = [];
  for (const entry of entries) {
    options.push(h("option", { value: entry.name }, entry.family));
    for (const alias of entry.aliases) options.push(h("option", { value: alias }, `→ ${entry.name}`));
  }
  const input = h("input", {
    id,
    type: "search",
    list: listId,
    value,
    autocomplete: "off",
    spellcheck: "false",
    autocapitalize: "off",
  });
  let committed = value;
  const commit = () => {
    const text = input.value.trim();
    if (text && text !== committed) {
      committed = text;
      onPick(text);
    }
  };
  input.addEventListener("change", commit);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") commit();
  });
  const labelElement = h("label", { for: id }, label);
  return {
    element: h("div", { class: "picker" }, labelElement, input, h("datalist", { id: listId }, options)),
    input,
    label: labelElement,
    set(text) {
      committed = text;
      input.value = text;
    },
  };
}
