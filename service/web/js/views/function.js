// View 1, one activation: f, f′ and f″ over a range to zoom and pan, jumps and kinks marked,
// the exact values at a cursor, and everything the API says of the activation beside them.

import * as api from "../api.js";
import { alertLine, h, uid } from "../dom.js";
import { describeActivation } from "../describe.js";
import { exact, num } from "../format.js";
import { language, t } from "../i18n.js";
import { parameterEditor } from "../params.js";
import { activationPicker } from "../picker.js";
import { grid, pieces } from "../sampling.js";
import { debounce, latest } from "../timing.js";
import { CURVES, paramsFromQuery, paramsToQuery, parseRange, roundToPixel, zoomableChart } from "./shared.js";

const DEFAULT = { name: "gelu", range: [-6, 6], show: ["f", "d1"] };

export function functionView(context) {
  const state = { name: DEFAULT.name, params: {}, range: [...DEFAULT.range], show: new Set(DEFAULT.show), cursor: null };
  let detail = null;
  let curves = null; // {xs, ys: {f, d1, d2}, breaks}
  const alert = alertLine();
  const describeRun = latest();
  const curveRun = latest();
  const cursorRun = latest();

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
    h("div", { class: "controls" }, picker.element, paramsBox, curvesBox, range.element),
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

  function load() {
    describeRun(async (signal) => {
      try {
        const answer = await api.describe(state.name, state.params, language());
        if (signal.aborted) return;
        alert.show(null);
        const entryChanged = answer.name !== detail?.name;
        detail = answer;
        state.name = answer.name;
        picker.set(answer.name);
        if (entryChanged) buildParams();
        info.replaceChildren(...describeActivation(answer));
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
        // The activation drawn stays the one the address names; the box keeps what was typed.
        if (detail && state.name !== detail.name) {
          state.name = detail.name;
          state.params = {};
          buildParams();
        }
      }
    });
  }

  function buildParams() {
    const specs = context.catalog.find((entry) => entry.name === detail.name)?.parameters ?? [];
    const editor = parameterEditor(specs, state.params, (given, reset) => {
      state.params = given;
      if (reset) buildParams();
      loadSoon();
    });
    paramsBox.replaceChildren(paramsBox.firstChild, editor);
  }

  async function loadCurves() {
    if (!detail || detail.kind === "axiswise") return;
    const name = detail.name;
    const params = { ...state.params };
    const [lo, hi] = state.range;
    const count = Math.min(1500, Math.max(200, Math.round((chartHost.clientWidth || 600) * 1.5)));
    const { xs, breaks } = grid(lo, hi, count, detail.properties?.discontinuities ?? []);
    await curveRun(async (signal) => {
      try {
        const answer = await api.evaluate(name, xs, params, ["value", "gradient", "second_derivative"], signal);
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
        const answer = await api.evaluate(detail.name, [x], state.params, ["value", "gradient", "second_derivative"], signal);
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
      const entry = context.catalog.find((e) => e.name === state.name || e.aliases.includes(state.name));
      state.params = paramsFromQuery(query, entry?.parameters ?? []);
      state.range = range.clamp(parseRange(query.get("x")) ?? DEFAULT.range);
      const show = query.get("show");
      state.show = new Set(show === null ? DEFAULT.show : show.split(",").filter((s) => CURVES.some((c) => c.id === s)));
      for (const box of curveBoxes) box.querySelector("input").checked = state.show.has(box.querySelector("input").value);
      picker.set(state.name);
      range.show();
      detail = null;
      load();
    },
    query() {
      const query = new URLSearchParams({ name: state.name });
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
