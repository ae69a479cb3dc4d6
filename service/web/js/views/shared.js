// What the views share: the three curves, the x range and its controls, an activation's
// parameters in the query string, chips of chosen activations, labelled form fields.

import { Chart } from "../chart.js";
import { h, uid } from "../dom.js";
import { t } from "../i18n.js";
import { debounce } from "../timing.js";

/** f, f′, f″: the evaluate outputs, their derivative order and colours (Okabe–Ito). */
export const CURVES = [
  { id: "f", key: "curve-f", output: "value", order: 0, color: "#0072B2" },
  { id: "d1", key: "curve-d1", output: "gradient", order: 1, color: "#D55E00" },
  { id: "d2", key: "curve-d2", output: "second_derivative", order: 2, color: "#009E73" },
];

/** Six distinguishable colours for overlaid activations (Okabe–Ito). */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];

const PREFIX = "p.";

/** The parameters given in the query as p.<name>=<value>, typed as the catalog declares. */
export function paramsFromQuery(query, specs) {
  const params = {};
  for (const spec of specs) {
    const text = query.get(PREFIX + spec.name);
    if (text === null) continue;
    if (spec.type === "bool") params[spec.name] = text === "true";
    else if (spec.type === "choice") params[spec.name] = text;
    else if (text.trim() !== "" && Number.isFinite(Number(text))) params[spec.name] = Number(text);
  }
  return params;
}

export function paramsToQuery(query, params) {
  for (const [name, value] of Object.entries(params)) query.set(PREFIX + name, String(value));
}

/** "lo,hi" as [lo, hi], or null. */
export function parseRange(text) {
  const parts = (text ?? "").split(",").map(Number);
  return parts.length === 2 && parts.every(Number.isFinite) && parts[0] < parts[1] ? parts : null;
}

/** x rounded to a tenth of a pixel of the plot, so that the cursor reads 0.25, not 0.2500317. */
export function roundToPixel(x, [lo, hi], box) {
  const perPixel = (hi - lo) / Math.max(1, (box?.right ?? 600) - (box?.left ?? 0));
  const decimals = Math.min(15, Math.max(0, Math.ceil(-Math.log10(perPixel / 10))));
  return Number(x.toFixed(decimals));
}

/** Inputs for the ends of the x range, and zoom and reset buttons. */
export function rangeControls({ get, set, reset, maxAbs }) {
  const fromId = uid("x-from");
  const toId = uid("x-to");
  const from = h("input", { id: fromId, type: "number", step: "any", inputmode: "decimal" });
  const to = h("input", { id: toId, type: "number", step: "any", inputmode: "decimal" });
  const typed = debounce(() => {
    const next = [Number(from.value), Number(to.value)];
    if (from.value.trim() && to.value.trim() && next.every(Number.isFinite) && next[0] < next[1]) set(next);
  }, 400);
  from.addEventListener("input", typed);
  to.addEventListener("input", typed);
  const zoom = (factor) => {
    const [lo, hi] = get();
    const mid = (lo + hi) / 2;
    set([mid - ((hi - lo) / 2) * factor, mid + ((hi - lo) / 2) * factor]);
  };
  const button = (key, onclick, text) =>
    h("button", { type: "button", "data-i18n-label": key, "aria-label": t(key), title: t(key), onclick }, text);
  const element = h("fieldset", { class: "range" },
    h("legend", { "data-i18n": "x-range" }, t("x-range")),
    h("label", { for: fromId, "data-i18n": "x-from" }, t("x-from")), from,
    h("label", { for: toId, "data-i18n": "x-to" }, t("x-to")), to,
    h("div", { class: "buttons" },
      button("zoom-in", () => zoom(0.5), "+"),
      button("zoom-out", () => zoom(2), "−"),
      button("zoom-reset", reset, "⟲")));
  return {
    element,
    show() {
      const [lo, hi] = get();
      if (document.activeElement !== from) from.value = String(lo);
      if (document.activeElement !== to) to.value = String(hi);
    },
    clamp([lo, hi]) {
      const mid = Math.min(maxAbs, Math.max(-maxAbs, (lo + hi) / 2));
      const half = Math.min(maxAbs, Math.max((hi - lo) / 2, 1e-9 * Math.max(1, Math.abs(mid))));
      const a = Math.max(-maxAbs, mid - half);
      const b = Math.min(maxAbs, mid + half);
      const [ra, rb] = [Number(a.toPrecision(12)), Number(b.toPrecision(12))];
      return ra < rb ? [ra, rb] : [a, b];
    },
  };
}

/** A chart of curves against x that zooms and pans, its range controls and its help line. */
export function zoomableChart({ id, maxAbs, get, set, reset, onCursor }) {
  const range = rangeControls({ get, set, reset, maxAbs });
  const help = h("p", { id: `${id}-help`, class: "help", "data-i18n": "chart-help" }, t("chart-help"));
  const host = h("div", { class: "chart-host", "aria-describedby": help.id });
  const chart = new Chart(host, { interactive: true, height: 340, onView: set, onCursor, onReset: reset });
  return { range, chart, host, help };
}

/** The chosen activations as chips in their colours, each with a button that calls `remove`. */
export function chipItems(names, remove) {
  return names.map((name, i) =>
    h("li", { class: "chip", style: `--color: ${PALETTE[i]}` },
      h("span", { class: "swatch" }), name,
      h("button", {
        type: "button",
        "aria-label": t("remove", { name }),
        title: t("remove", { name }),
        onclick: () => remove(name),
      }, "×")));
}

/**
 * Labelled number inputs and selects of a form whose initial values are `fields`, each kept
 * in `inputs` under its key; ids start with `prefix`.
 */
export function formFields(prefix, fields, inputs) {
  const wrap = (key, labelKey, input) => {
    inputs[key] = input;
    return h("div", { class: "field", "data-field": key }, h("label", { for: input.id, "data-i18n": labelKey }, t(labelKey)), input);
  };
  return {
    field: (key, labelKey, attributes) =>
      wrap(key, labelKey, h("input", { id: uid(`${prefix}-${key}`), name: key, type: "number", inputmode: "decimal", value: fields[key], ...attributes })),
    select: (key, labelKey, options) =>
      wrap(key, labelKey, h("select", { id: uid(`${prefix}-${key}`), name: key }, options.map(([value, textKey]) =>
        h("option", { value, selected: value === fields[key], ...(textKey ? { "data-i18n": textKey } : {}) }, textKey ? t(textKey) : value)))),
  };
}
