// View 1, one activation: f, f′ and f″ over a range to zoom and pan, jumps and kinks marked,
// the exact values at a cursor, and everything the API says of the activation beside them.
// The activation is a catalog name, or a formula typed with the parameters it declares.

import * as api from "../api.js";
import { alertLine, h, uid } from "../dom.js";
import { describeActivation } from "../describe.js";
import { formulaAnalysis, formulaEditor } from "../formula.js";
import { exact, num } from "../format.js";
import { language, t } from "../i18n.js";
import { parameterEditor } from "../params.js";
import { activationPicker } from "../picker.js";
import { grid, pieces } from "../sampling.js";
import { debounce, latest } from "../timing.js";
import { CURVES, paramsFromQuery, paramsToQuery, parseRange, roundToPixel, zoomableChart } from "./shared.js";

const DEFAULT = {
  name: "gelu",
  formula: { expression: "beta * x * tanh(softplus(x))", parameters: { beta: { default: 1, min: 0, max: 10 } } },
  range: [-6, 6],
  show: ["f", "d1"],
};
const SOURCES = ["name", "formula"];

function formulaFromQuery(query) {
  const expression = query.get("f");
  if (expression === null) return null;
  let parameters = {};
  try {
    const declared = JSON.parse(query.get("fp") ?? "{}");
    if (declared && typeof declared === "object" && !Array.isArray(declared)) parameters = declared;
  } catch {
    parameters = {};
  }
  return { expression, parameters };
}

export function functionView(context) {
  const state = {
    source: "name",
    name: DEFAULT.name,
    formula: structuredClone(DEFAULT.formula),
    params: {},
    range: [...DEFAULT.range],
    show: new Set(DEFAULT.show),
    cursor: null,
  };
  let detail = null;
  let detailKey = null; // what the parameter controls were built for
  let drawn = null; // how the evaluations name what detail describes: {name} or {formula}
  let curves = null; // {xs, ys: {f, d1, d2}, breaks}
  const alert = alertLine();
  const describeRun = latest();
  const curveRun = latest();
  const cursorRun = latest();
  const analysisRun = latest();

  const picker = activationPicker({
    entries: context.catalog,
    label: t("activation"),
    value: state.name,
    onPick: (text) => {
      state.name = text;
      state.params = {};
      load();
    },
  });
  const editor = formulaEditor({
    formula: state.formula,
    onApply: (formula) => {
      state.formula = formula;
      state.params = Object.fromEntries(Object.keys(state.params).filter((k) => k in formula.parameters).map((k) => [k, state.params[k]]));
      load();
    },
  });
  const sourceChoice = h("div", { class: "radios source", role: "radiogroup", "aria-label": t("source"), "data-i18n-label": "source" },
    SOURCES.map((value) => h("label", { class: "toggle" },
      h("input", {
        type: "radio",
        name: "function-source",
        value,
        checked: state.source === value,
        onchange: () => {
          state.source = value;
          state.params = {};
          showSource();
          load();
        },
      }),
      h("span", { "data-i18n": `source-${value}` }, t(`source-${value}`)))));
  const paramsBox = h("fieldset", { class: "params-box" }, h("legend", { "data-i18n": "parameters" }, t("parameters")));
  const curveBoxes = CURVES.map((curve) =>
    h("label", { class: "toggle" },
      h("input", {
        type: "checkbox",
        name: "curve",
        value: curve.id,
        checked: state.show.has(curve.id),
        onchange: (event) => {
          if (event.target.checked) state.show.add(curve.id);
          else state.show.delete(curve.id);
          draw();
          context.changed();
        },
      }),
      h("span", { class: "swatch", style: `--color: ${curve.color}` }),
      h("span", { "data-i18n": curve.key }, t(curve.key))),
  );
  const curvesBox = h("fieldset", { class: "curves" }, h("legend", { "data-i18n": "curves" }, t("curves")), curveBoxes);
  const { range, chart, host: chartHost, help } = zoomableChart({
    id: "function",
    maxAbs: context.limits.plot_max_abs_x ?? 1e6,
    get: () => state.range,
    set: (next) => setRange(next),
    reset: () => setRange(DEFAULT.range),
    onCursor: (x) => setCursor(x),
  });
  const xId = uid("cursor-x");
  const cursorInput = h("input", { id: xId, type: "number", step: "any", inputmode: "decimal" });
  const readoutValues = h("dl", { class: "readout-values", "aria-live": "polite" });
  const readout = h("div", { class: "readout" },
    h("label", { for: xId }, h("span", { "data-i18n": "cursor-x" }, t("cursor-x"))), cursorInput, readoutValues);
  cursorInput.addEventListener("input", debounce(() => {
    const x = Number(cursorInput.value);
    if (cursorInput.value.trim() !== "" && Number.isFinite(x)) setCursor(x, { typed: true });
  }, 250));
  const axiswiseNote = h("p", { class: "note-box" });
  axiswiseNote.hidden = true;
  const info = h("aside", { class: "info", "aria-live": "polite" });

  const element = h("div", { class: "view-function" },
    h("div", { class: "controls" }, sourceChoice, picker.element, editor.element, paramsBox, curvesBox, range.element),
    h("div", { class: "figure" }, alert.element, axiswiseNote, chartHost, help, readout),
    info);

  const loadSoon = debounce(() => load(), 200);
  const curvesSoon = debounce(() => loadCurves(), 120);
  const readSoon = debounce((x) => readAt(x), 60);

  function setRange(next) {
    state.range = range.clamp(next);
    range.show();
    if (curves) chart.update({ ...chartData(), x: state.range });
    curvesSoon();
    context.changed();
  }

  function setCursor(x, { typed = false } = {}) {
    const at = typed ? x : roundToPixel(x, state.range, chart.box);
    state.cursor = at;
    if (!typed) cursorInput.value = String(at);
    chart.setCursor({ x: at });
    readSoon(at);
  }

  function showSource() {
    const formula = state.source === "formula";
    picker.element.hidden = formula;
    editor.element.hidden = !formula;
    for (const input of sourceChoice.querySelectorAll("input")) input.checked = input.value === state.source;
    if (formula) editor.set(state.formula);
    editor.showError(null);
  }

  function load() {
    const formula = state.source === "formula" ? structuredClone(state.formula) : null;
    describeRun(async (signal) => {
      try {
        const answer = formula
          ? await api.describeFormula(formula, state.params, language())
          : await api.describe(state.name, state.params, language());
        if (signal.aborted) return;
        alert.show(null);
        editor.showError(null);
        const key = formula ? `formula ${JSON.stringify(formula)}` : answer.name;
        const entryChanged = key !== detailKey;
        detailKey = key;
        detail = answer;
        drawn = formula ? { formula } : { name: answer.name };
        if (!formula) {
          state.name = answer.name;
          picker.set(answer.name);
        }
        if (entryChanged) buildParams();
        const parts = describeActivation(answer);
        if (formula) parts.splice(1, 0, analysisBox);
        info.replaceChildren(...parts);
        if (formula) loadAnalysis(formula, { ...state.params });
        const axiswise = answer.kind === "axiswise";
        axiswiseNote.hidden = !axiswise;
        axiswiseNote.textContent = axiswise ? answer.properties_note ?? t("axiswise") : "";
        chartHost.hidden = axiswise;
        readout.hidden = axiswise;
        context.changed();
        if (!axiswise) await loadCurves();
      } catch (error) {
        if (api.isAbort(error) || signal.aborted) return;
        alert.show(error);
        if (formula) {
          // The chart keeps the last formula drawn; the form shows where this one is wrong.
          editor.showError(error);
          return;
        }
        // The activation drawn stays the one the address names; the box keeps what was typed.
        if (detail && state.name !== detail.name) {
          state.name = detail.name;
          state.params = {};
          buildParams();
        }
      }
    });
  }

  const analysisBox = h("section", { class: "info-section formula-analysis", "data-section": "formula-analysis" });

  function loadAnalysis(formula, params) {
    analysisBox.replaceChildren(h("h3", {}, t("formula-analysis")), h("p", { class: "muted" }, t("measuring")));
    analysisRun(async (signal) => {
      try {
        const answer = await api.analyseFormula(formula, params);
        if (signal.aborted) return;
        analysisBox.replaceChildren(...formulaAnalysis(answer).childNodes);
      } catch (error) {
        if (!api.isAbort(error) && !signal.aborted) analysisBox.replaceChildren(h("h3", {}, t("formula-analysis")), h("p", { class: "error" }, String(error.message)));
      }
    });
  }

  function evaluate(xs, params, signal) {
    const outputs = ["value", "gradient", "second_derivative"];
    return drawn.formula
      ? api.evaluateFormula(drawn.formula, xs, params, outputs, signal)
      : api.evaluate(drawn.name, xs, params, outputs, signal);
  }

  function buildParams() {
    const specs = state.source === "formula"
      ? detail.parameters
      : context.catalog.find((entry) => entry.name === detail.name)?.parameters ?? [];
    const editor = parameterEditor(specs, state.params, (given, reset) => {
      state.params = given;
      if (reset) buildParams();
      loadSoon();
    });
    paramsBox.replaceChildren(paramsBox.firstChild, editor);
  }

  async function loadCurves() {
    if (!detail || detail.kind === "axiswise") return;
    const params = { ...state.params };
    const [lo, hi] = state.range;
    const count = Math.min(1500, Math.max(200, Math.round((chartHost.clientWidth || 600) * 1.5)));
    const { xs, breaks } = grid(lo, hi, count, detail.properties?.discontinuities ?? []);
    await curveRun(async (signal) => {
      try {
        const answer = await evaluate(xs, params, signal);
        if (signal.aborted) return;
        curves = {
          xs,
          breaks,
          ys: { f: answer.value.map(num), d1: answer.gradient.map(num), d2: answer.second_derivative.map(num) },
        };
        alert.show(null);
        draw();
        if (state.cursor !== null) readAt(state.cursor);
      } catch (error) {
        if (!api.isAbort(error) && !signal.aborted) alert.show(error);
      }
    });
  }

  function chartData() {
    const series = [];
    const dots = [];
    for (const curve of CURVES) {
      if (!state.show.has(curve.id)) continue;
      const drawn = pieces(curves.xs, curves.ys[curve.id], curves.breaks, curve.order);
      series.push({ id: curve.id, label: t(curve.key), color: curve.color, segments: drawn.segments });
      for (const dot of drawn.dots) dots.push({ ...dot, color: curve.color, series: curve.id });
    }
    const marks = curves.breaks.map((b) => ({ x: b.x, label: t(b.lowest === 0 ? "jump" : b.lowest === 1 ? "kink" : "jump-f2") }));
    const legend = dots.length
      ? [
          { kind: "dot", color: "var(--ink)", label: t("dot-value") },
          { kind: "dot", color: "var(--ink)", open: true, label: t("dot-limit") },
        ]
      : [];
    return { x: state.range, series, dots, marks, legend };
  }

  function draw() {
    if (!curves) return;
    chart.setLabels({ title: t("function-chart", { name: detail.name }), xLabel: "x", yLabel: "" });
    chart.update(chartData());
  }

  function readAt(x) {
    if (!detail || detail.kind === "axiswise") return;
    cursorRun(async (signal) => {
      try {
        const answer = await evaluate([x], state.params, signal);
        if (signal.aborted) return;
        const values = { f: num(answer.value[0]), d1: num(answer.gradient[0]), d2: num(answer.second_derivative[0]) };
        readoutValues.replaceChildren(
          h("dt", {}, "x"), h("dd", { "data-readout": "x" }, exact(x)),
          ...CURVES.flatMap((curve) => [
            h("dt", { style: `--color: ${curve.color}` }, t(curve.key)),
            h("dd", { "data-readout": curve.id }, exact(values[curve.id])),
          ]),
        );
        chart.setCursor({
          x,
          values: CURVES.filter((c) => state.show.has(c.id)).map((c) => ({ y: values[c.id], color: c.color })),
        });
      } catch (error) {
        if (!api.isAbort(error) && !signal.aborted) alert.show(error);
      }
    });
  }

  return {
    id: "function",
    titleKey: "view-function",
    element,
    restore(query) {
      state.name = query.get("name") || DEFAULT.name;
      const formula = formulaFromQuery(query);
      state.source = formula ? "formula" : "name";
      state.formula = formula ?? structuredClone(DEFAULT.formula);
      const entry = context.catalog.find((e) => e.name === state.name || e.aliases.includes(state.name));
      const declared = Object.entries(state.formula.parameters).map(([name, spec]) => ({ name, type: "float", default: spec?.default }));
      state.params = paramsFromQuery(query, formula ? declared : entry?.parameters ?? []);
      state.range = range.clamp(parseRange(query.get("x")) ?? DEFAULT.range);
      const show = query.get("show");
      state.show = new Set(show === null ? DEFAULT.show : show.split(",").filter((s) => CURVES.some((c) => c.id === s)));
      for (const box of curveBoxes) box.querySelector("input").checked = state.show.has(box.querySelector("input").value);
      picker.set(state.name);
      showSource();
      range.show();
      detail = null;
      detailKey = null;
      load();
    },
    query() {
      const query = new URLSearchParams(
        state.source === "formula"
          ? { f: state.formula.expression, fp: JSON.stringify(state.formula.parameters) }
          : { name: state.name },
      );
      paramsToQuery(query, state.params);
      query.set("x", state.range.join(","));
      query.set("show", [...state.show].join(","));
      return query;
    },
    language() {
      picker.label.textContent = t("activation");
      if (detail) load();
    },
  };
}
