// An activation typed as a formula: its expression and the parameters it declares (name,
// default, bounds), the service's refusal shown where it points (a caret under the column, the
// field marked invalid), and what the service says of the formula (POST /formulas): the form
// it serves, its derivatives, and its accuracy against mpmath.

import { h, uid } from "./dom.js";
import { exact, short } from "./format.js";
import { t } from "./i18n.js";

const BOUNDS = ["default", "min", "max"];

function numberOrNull(text) {
  if (text.trim() === "") return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/**
 * A form for `formula` ({expression, parameters}); `onApply(formula)` runs when it is drawn
 * (the button, or Enter in a field).
 */
export function formulaEditor({ formula, onApply }) {
  const id = uid("formula");
  const helpId = uid("formula-help");
  const expression = h("input", {
    id,
    type: "text",
    name: "expression",
    class: "expression",
    spellcheck: "false",
    autocapitalize: "off",
    autocomplete: "off",
    "aria-describedby": helpId,
  });
  const caret = h("pre", { class: "formula-caret", "aria-hidden": "true" });
  caret.hidden = true;
  const rows = h("div", { class: "declared" });
  const form = h("form", { class: "formula-editor", novalidate: true },
    h("label", { for: id, "data-i18n": "formula-expression" }, t("formula-expression")),
    expression,
    caret,
    h("small", { id: helpId, class: "help", "data-i18n": "formula-help" }, t("formula-help")),
    h("fieldset", { class: "declared-box" },
      h("legend", { "data-i18n": "formula-params" }, t("formula-params")),
      rows,
      h("button", { type: "button", class: "add-param", "data-i18n": "add-param", onclick: () => addRow("", { default: 1 }).querySelector("input").focus() }, t("add-param"))),
    h("button", { type: "submit", class: "draw", "data-i18n": "draw" }, t("draw")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onApply(read());
  });

  function addRow(name, spec) {
    const field = (key, attributes) => {
      const input = h("input", { id: uid(`declared-${key}`), name: key, ...attributes });
      return h("div", { class: "field" }, h("label", { for: input.id, "data-i18n": `param-${key}` }, t(`param-${key}`)), input);
    };
    const number = (key) => ({ type: "number", step: "any", inputmode: "decimal", value: spec[key] ?? "" });
    const row = h("div", { class: "declared-row" },
      field("name", { type: "text", value: name, spellcheck: "false", autocapitalize: "off", autocomplete: "off", pattern: "[A-Za-z][A-Za-z0-9_]*" }),
      ...BOUNDS.map((key) => field(key, number(key))),
      h("button", {
        type: "button",
        class: "remove-param",
        "data-i18n-label": "remove-param",
        "aria-label": t("remove-param"),
        title: t("remove-param"),
        onclick: () => row.remove(),
      }, "×"));
    rows.append(row);
    return row;
  }

  function read() {
    const parameters = {};
    for (const row of rows.children) {
      const name = row.querySelector("[name='name']").value.trim();
      if (!name) continue;
      const spec = {};
      for (const key of BOUNDS) {
        const value = numberOrNull(row.querySelector(`[name='${key}']`).value);
        // An empty default goes as null, for the service to say which one is missing.
        if (value !== null || key === "default") spec[key] = value;
      }
      parameters[name] = spec;
    }
    return { expression: expression.value, parameters };
  }

  function set(next) {
    expression.value = next.expression;
    rows.replaceChildren();
    for (const [name, spec] of Object.entries(next.parameters ?? {})) addRow(name, spec);
  }

  function markInvalid(element, invalid) {
    if (invalid) element.setAttribute("aria-invalid", "true");
    else element.removeAttribute("aria-invalid");
  }

  /** Show where an API error points, or clear the marks (error null). */
  function showError(error) {
    const problem = error?.problem ?? {};
    const locs = (problem.errors ?? []).map((e) => e.loc ?? []);
    const column = Number.isInteger(problem.column) ? problem.column : null;
    const inExpression = column !== null || locs.some((loc) => loc.includes("expression"));
    markInvalid(expression, inExpression);
    caret.hidden = column === null;
    caret.textContent = column === null ? "" : `${expression.value}\n${" ".repeat(Math.max(0, column - 1))}^`;
    if (column !== null) {
      expression.focus();
      expression.setSelectionRange(column - 1, Math.min(expression.value.length, column));
    }
    for (const row of rows.children) {
      const name = row.querySelector("[name='name']").value.trim();
      const loc = locs.find((l) => l[l.indexOf("parameters") + 1] === name && l.includes("parameters"));
      for (const input of row.querySelectorAll("input")) {
        const at = loc && (loc.includes(input.name) || (input.name === "name" && loc.includes("[key]")));
        markInvalid(input, Boolean(at));
      }
    }
  }

  set(formula);
  return { element: form, set, read, showError };
}

function accuracyRow(key, measured) {
  if (!measured) return null;
  const worst = `${short(measured.worst_ulp, 3)} ULP` + (measured.worst_at === null ? "" : ` (x = ${short(measured.worst_at, 6)}, κ = ${short(measured.condition, 3)})`);
  const regions = measured.regions.map((r) =>
    `${t(`failure-${r.failure}`)} [${short(r.low, 4)}, ${short(r.high, 4)}]`);
  return h("tr", { "data-accuracy": key },
    h("th", { scope: "row" }, t(`accuracy-${key}`)),
    h("td", {},
      h("span", { class: measured.within_bound ? "within" : "beyond" }, t(measured.within_bound ? "within-bound" : "beyond-bound")),
      `: ${worst}`,
      regions.length ? h("small", { class: "regions" }, regions.join("; ")) : null));
}

/** The info panel's section for a POST /formulas answer. */
export function formulaAnalysis(analysis) {
  const accuracy = analysis.accuracy;
  const rows = accuracy
    ? ["value", "gradient", "written_value", "written_gradient"].map((key) => accuracyRow(key, accuracy[key]))
    : [];
  return h("section", { class: "info-section formula-analysis", "data-section": "formula-analysis" },
    h("h3", {}, t("formula-analysis")),
    h("dl", { class: "formula-forms" },
      h("dt", {}, t("formula-normal")), h("dd", {}, h("code", { "data-formula": "expression" }, analysis.expression)),
      h("dt", {}, t("formula-served")), h("dd", {}, h("code", { "data-formula": "served" }, analysis.served)),
      h("dt", {}, t("curve-d1")), h("dd", {}, h("code", { "data-formula": "gradient" }, analysis.gradient)),
      h("dt", {}, t("curve-d2")), h("dd", {}, h("code", { "data-formula": "second_derivative" }, analysis.second_derivative))),
    analysis.rewrites.length
      ? h("ul", { class: "rewrites" }, analysis.rewrites.map((r) =>
          h("li", {}, h("code", {}, r.found), " → ", h("code", {}, r.stable), h("small", {}, ` — ${r.why}`))))
      : null,
    accuracy
      ? h("div", { class: "table-scroll" },
          h("table", { class: "properties accuracy" },
            h("caption", {}, t("accuracy-caption", { bound: accuracy.bound, points: exact(accuracy.points) })),
            h("tbody", {}, rows.filter(Boolean))))
      : null);
}
