// An activation's parameters as controls, from the catalog's declarations: a choice is a
// select, a flag a checkbox, a number an input bounded as declared, with a slider over a
// practical part of that range (the declared bounds are often vast: ±1e6, or up to 1e300).

import { h, uid } from "./dom.js";
import { t } from "./i18n.js";

const SLIDER_STEPS = 500;

/** The slider's [min, max, step] for a numeric parameter, or null for none. */
export function sliderRange(spec) {
  if (spec.type !== "float") return null;
  const spread = 4 * Math.max(1, Math.abs(spec.default));
  if (spread > 1e4) return null;
  const step = 10 ** Math.floor(Math.log10((2 * spread) / SLIDER_STEPS));
  let lo = Math.floor(spec.default - spread);
  let hi = Math.ceil(spec.default + spread);
  if (spec.minimum !== null && spec.minimum !== undefined && lo <= spec.minimum) {
    lo = Math.ceil(spec.minimum / step) * step;
    if (spec.exclusive_minimum && lo <= spec.minimum) lo += step;
  }
  if (spec.maximum !== null && spec.maximum !== undefined && hi >= spec.maximum) {
    hi = Math.floor(spec.maximum / step) * step;
    if (spec.exclusive_maximum && hi >= spec.maximum) hi -= step;
  }
  return hi > lo ? [lo, hi, step] : null;
}

function parse(spec, text) {
  if (text.trim() === "") return null;
  const value = Number(text);
  if (!Number.isFinite(value)) return null;
  return spec.type === "int" ? Math.trunc(value) : value;
}

/**
 * Controls for `specs` showing `values` (defaults where absent); `onChange(given, reset)` is
 * called with the parameters that differ from their defaults (reset: all were just reset, and
 * the controls should be built again).
 */
export function parameterEditor(specs, values, onChange) {
  const current = { ...values };
  const changed = (reset = false) => {
    const given = {};
    for (const spec of specs) {
      if (spec.name in current && current[spec.name] !== spec.default) given[spec.name] = current[spec.name];
    }
    onChange(given, reset);
  };
  const rows = specs.map((spec) => {
    const id = uid(`param-${spec.name}`);
    const help = uid("help");
    const value = spec.name in current ? current[spec.name] : spec.default;
    const set = (next) => {
      current[spec.name] = next;
      changed();
    };
    const label = h("label", { for: id }, h("code", {}, spec.name));
    const description = h("small", { id: help, class: "help" }, spec.description);
    let controls;
    if (spec.type === "choice") {
      controls = h(
        "select",
        { id, name: spec.name, "aria-describedby": help, onchange: (e) => set(e.target.value) },
        spec.choices.map((choice) => h("option", { value: choice, selected: choice === value }, choice)),
      );
    } else if (spec.type === "bool") {
      controls = h("input", {
        id,
        name: spec.name,
        type: "checkbox",
        checked: value === true,
        "aria-describedby": help,
        onchange: (e) => set(e.target.checked),
      });
    } else {
      controls = numberControls(spec, value, id, help, set);
    }
    return h("div", { class: `param param-${spec.type}`, "data-param": spec.name }, label, controls, description);
  });
  const reset = h("button", {
    type: "button",
    class: "reset",
    "data-i18n": "reset-params",
    onclick: () => {
      for (const key of Object.keys(current)) delete current[key];
      changed(true);
    },
  }, t("reset-params"));
  if (!specs.length) return h("p", { class: "muted", "data-i18n": "no-params" }, t("no-params"));
  return h("div", { class: "params" }, rows, reset);
}

function numberControls(spec, value, id, help, set) {
  const input = h("input", {
    id,
    name: spec.name,
    type: "number",
    inputmode: "decimal",
    step: spec.type === "int" ? "1" : "any",
    min: spec.minimum ?? undefined,
    max: spec.maximum ?? undefined,
    value: String(value),
    "aria-describedby": help,
  });
  const range = sliderRange(spec);
  const slider = range
    ? h("input", {
        type: "range",
        min: range[0],
        max: range[1],
        step: range[2],
        value: String(value),
        "aria-label": `${spec.name} (${t("slider")})`,
        "data-slider": spec.name,
      })
    : null;
  input.addEventListener("input", () => {
    const next = parse(spec, input.value);
    if (next === null) return;
    if (slider) slider.value = String(next);
    set(next);
  });
  slider?.addEventListener("input", () => {
    input.value = slider.value;
    set(Number(slider.value));
  });
  return h("div", { class: "number" }, slider, input);
}
