// View 2, compare: up to six activations overlaid (f, f′ or f″, default parameters, as the
// comparison table measures them), and the API's comparison table below.

import * as api from "../api.js";
import { alertLine, h } from "../dom.js";
import { exact, num, short } from "../format.js";
import { language, t } from "../i18n.js";
import { activationPicker } from "../picker.js";
import { grid, pieces } from "../sampling.js";
import { debounce, latest } from "../timing.js";
import { CURVES, PALETTE, chipItems, parseRange, roundToPixel, zoomableChart } from "./shared.js";

const MOST = 6;
const DEFAULT = { names: ["sigmoid", "tanh", "relu", "gelu"], curve: "f", range: [-5, 5] };

export function compareView(context) {
  const elementwise = context.catalog.filter((entry) => entry.kind === "elementwise");
  const state = { names: [...DEFAULT.names], curve: DEFAULT.curve, range: [...DEFAULT.range] };
  let drawn = []; // [{name, xs, ys, breaks}]
  const alert = alertLine();
  const curveRun = latest();
  const tableRun = latest();
  const cursorRun = latest();

  const picker = activationPicker({
    entries: elementwise,
    label: t("add-activation"),
    onPick: (text) => add(text),
  });
  const chips = h("ul", { class: "chips", "aria-live": "polite" });
  const full = h("p", { class: "muted" });
  const curveChoice = h("fieldset", { class: "curve-choice" },
    h("legend", { "data-i18n": "curve" }, t("curve")),
    CURVES.map((curve) => h("label", { class: "toggle" },
      h("input", {
        type: "radio",
        name: "compare-curve",
        value: curve.id,
        checked: curve.id === state.curve,
        onchange: () => {
          state.curve = curve.id;
          loadCurves();
          context.changed();
        },
      }),
      h("span", { "data-i18n": curve.key }, t(curve.key)))));
  const { range, chart, host: chartHost, help } = zoomableChart({
    id: "compare",
    maxAbs: context.limits.plot_max_abs_x ?? 1e6,
    get: () => state.range,
    set: (next) => setRange(next),
    reset: () => setRange(DEFAULT.range),
    onCursor: (x) => setCursor(x),
  });
  const readout = h("dl", { class: "readout-values", "aria-live": "polite" });
  const tableBox = h("div", { class: "table-scroll" });
  const element = h("div", { class: "view-compare" },
    h("div", { class: "controls" }, picker.element, chips, full, curveChoice, range.element),
    h("div", { class: "figure" }, alert.element, chartHost, help, h("div", { class: "readout" }, readout)),
    h("section", { class: "comparison" }, h("h2", { "data-i18n": "comparison" }, t("comparison")), tableBox));

  const curvesSoon = debounce(() => loadCurves(), 120);
  const readSoon = debounce((x) => readAt(x), 80);

  async function add(text) {
    alert.show(null);
    try {
      const detail = await api.describe(text, {}, language());
      if (detail.kind !== "elementwise") throw new Error(t("not-elementwise", { name: detail.name }));
      picker.set("");
      if (state.names.includes(detail.name)) return;
      if (state.names.length >= MOST) throw new Error(t("compare-full", { most: MOST }));
      state.names.push(detail.name);
      changedNames();
    } catch (error) {
      alert.show(error);
    }
  }

  function remove(name) {
    state.names = state.names.filter((n) => n !== name);
    changedNames();
  }

  function changedNames() {
    renderChips();
    loadCurves();
    loadTable();
    context.changed();
  }

  function renderChips() {
    chips.replaceChildren(...chipItems(state.names, remove));
    const isFull = state.names.length >= MOST;
    picker.input.disabled = isFull;
    full.textContent = isFull ? t("compare-full", { most: MOST }) : t("compare-hint", { most: MOST });
  }

  function setRange(next) {
    state.range = range.clamp(next);
    range.show();
    if (drawn.length) chart.update({ ...chartData(), x: state.range });
    curvesSoon();
    context.changed();
  }

  function loadCurves() {
    const names = [...state.names];
    const curve = CURVES.find((c) => c.id === state.curve);
    const [lo, hi] = state.range;
    const count = Math.min(1200, Math.max(200, Math.round((chartHost.clientWidth || 600) * 1.2)));
    curveRun(async (signal) => {
      try {
        const results = await Promise.all(names.map(async (name) => {
          const detail = await api.describe(name, {}, language());
          const { xs, breaks } = grid(lo, hi, count, detail.properties?.discontinuities ?? []);
          const answer = await api.evaluate(name, xs, {}, [curve.output], signal);
          return { name, xs, breaks, ys: answer[curve.output].map(num) };
        }));
        if (signal.aborted) return;
        drawn = results;
        alert.show(null);
        chart.setLabels({ title: t("compare-chart", { curve: t(curve.key) }), xLabel: "x", yLabel: t(curve.key) });
        chart.update(chartData());
      } catch (error) {
        if (!api.isAbort(error) && !signal.aborted) alert.show(error);
      }
    });
  }

  function chartData() {
    const curve = CURVES.find((c) => c.id === state.curve);
    const series = [];
    const dots = [];
    drawn.forEach((result, i) => {
      const color = PALETTE[state.names.indexOf(result.name)] ?? PALETTE[i];
      const piecesOf = pieces(result.xs, result.ys, result.breaks, curve.order);
      series.push({ id: result.name, label: result.name, color, segments: piecesOf.segments });
      for (const dot of piecesOf.dots) dots.push({ ...dot, color, series: result.name });
    });
    return { x: state.range, series, dots };
  }

  function setCursor(x) {
    const at = roundToPixel(x, state.range, chart.box);
    chart.setCursor({ x: at });
    readSoon(at);
  }

  function readAt(x) {
    const curve = CURVES.find((c) => c.id === state.curve);
    const names = [...state.names];
    cursorRun(async (signal) => {
      try {
        const answers = await Promise.all(names.map((name) => api.evaluate(name, [x], {}, [curve.output], signal)));
        if (signal.aborted) return;
        const values = answers.map((a) => num(a[curve.output][0]));
        readout.replaceChildren(
          h("dt", {}, "x"), h("dd", {}, exact(x)),
          ...names.flatMap((name, i) => [
            h("dt", { style: `--color: ${PALETTE[i]}` }, `${t(curve.key)} ${name}`),
            h("dd", { "data-readout": name }, exact(values[i])),
          ]),
        );
        chart.setCursor({ x, values: values.map((y, i) => ({ y, color: PALETTE[i] })) });
      } catch (error) {
        if (!api.isAbort(error) && !signal.aborted) alert.show(error);
      }
    });
  }

  function loadTable() {
    const names = [...state.names];
    if (names.length < 2) {
      tableBox.replaceChildren(h("p", { class: "muted" }, t("compare-two")));
      return;
    }
    tableRun(async (signal) => {
      try {
        const answer = await api.compare(names);
        if (signal.aborted) return;
        tableBox.replaceChildren(comparisonTable(answer.activations));
      } catch (error) {
        if (!signal.aborted) alert.show(error);
      }
    });
  }

  return {
    id: "compare",
    titleKey: "view-compare",
    element,
    restore(query) {
      const names = (query.get("names") ?? "").split(",").map((n) => n.trim()).filter(Boolean);
      state.names = names.length ? names.slice(0, MOST) : [...DEFAULT.names];
      const curve = query.get("curve");
      state.curve = CURVES.some((c) => c.id === curve) ? curve : DEFAULT.curve;
      for (const input of curveChoice.querySelectorAll("input")) input.checked = input.value === state.curve;
      state.range = range.clamp(parseRange(query.get("x")) ?? DEFAULT.range);
      range.show();
      renderChips();
      loadCurves();
      loadTable();
    },
    query() {
      return new URLSearchParams({ names: state.names.join(","), curve: state.curve, x: state.range.join(",") });
    },
    language() {
      picker.label.textContent = t("add-activation");
      renderChips();
      loadCurves();
      loadTable();
    },
  };
}

const COLUMNS = [
  ["range", (r) => r.properties.range.notation],
  ["monotonic", (r) => (r.properties.monotonic ? t(`mono-${r.properties.monotonic}`) : "—")],
  ["continuity", (r) => r.properties.continuity ?? "—"],
  ["value_at_zero", (r) => short(r.properties.value_at_zero, 4)],
  ["derivative_at_zero", (r) => short(r.properties.derivative_at_zero, 4)],
  ["gaussian_mean", (r) => short(r.properties.gaussian_mean, 4)],
  ["gaussian_variance", (r) => short(r.properties.gaussian_variance, 4)],
  ["zero_centred", (r) => t(r.properties.zero_centred ? "yes" : "no")],
  ["saturates_below", (r) => short(r.properties.saturates_below, 3)],
  ["saturates_above", (r) => short(r.properties.saturates_above, 3)],
  ["max_abs_derivative", (r) => short(r.properties.max_abs_derivative?.value, 4)],
  ["self_normalising", (r) => t(r.properties.self_normalising ? "yes" : "no")],
  ["dead_zones", (r) => r.properties.dead_zones.map((z) => z.notation).join(", ") || t("none")],
  ["cost", (r) => r.properties.cost ?? "—"],
  ["scheme", (r) => r.initialisation ?? "—"],
  ["gain", (r) => short(r.gain, 4)],
];

function comparisonTable(rows) {
  return h("table", { class: "comparison-table" },
    h("caption", {}, t("comparison-caption")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("name")), COLUMNS.map(([key]) => h("th", { scope: "col" }, t(`prop-${key}`))))),
    h("tbody", {}, rows.map((row) =>
      h("tr", { "data-name": row.name }, h("th", { scope: "row" }, row.name), COLUMNS.map(([key, cell]) => h("td", { "data-property": key }, cell(row)))))));
}
