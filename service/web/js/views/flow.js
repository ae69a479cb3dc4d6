// View 3, gradient flow: a deep random network simulated by the API, its signal and gradient
// per layer beside mean-field theory, dead and saturated fractions, the verdict and χ₁, and the
// phase diagram (σ_w² against σ_b², the critical line from the API, this network marked).

import * as api from "../api.js";
import { Chart } from "../chart.js";
import { alertLine, h } from "../dom.js";
import { num, short } from "../format.js";
import { language, t } from "../i18n.js";
import { parameterEditor } from "../params.js";
import { activationPicker } from "../picker.js";
import { debounce, latest } from "../timing.js";
import { formFields, paramsFromQuery, paramsToQuery } from "./shared.js";

const SCHEMES = ["xavier_normal", "xavier_uniform", "he_normal", "he_uniform", "lecun_normal", "orthogonal", "torch_default"];
const FIELDS = {
  depth: "30",
  width: "256",
  batch: "128",
  seed: "0",
  init: "scheme",
  scheme: "xavier_normal",
  mode: "fan_in",
  gain: "",
  sigma_w: "1",
  sigma_b: "0",
  dist: "normal",
  scale: "1",
  loss: "random_projection",
  dtype: "float32",
};
const CRITICAL_POINTS = 25;
const MEASURED = "#0072B2";
const THEORY = "#D55E00";
const PHASE_COLOURS = { ordered: "#56B4E9", critical: "#F0E442", chaotic: "#D55E00" };

export function flowView(context) {
  const elementwise = context.catalog.filter((entry) => entry.kind === "elementwise");
  const limits = context.limits;
  const state = { name: "tanh", params: {}, fields: { ...FIELDS } };
  let result = null;
  const alert = alertLine();
  const simulationRun = latest();
  const criticalRun = latest();

  const picker = activationPicker({
    entries: elementwise,
    label: t("activation"),
    value: state.name,
    onPick: (text) => {
      state.name = text;
      state.params = {};
      buildParams();
      changed();
    },
  });
  const paramsBox = h("fieldset", { class: "params-box" }, h("legend", { "data-i18n": "parameters" }, t("parameters")));
  const inputs = {};
  const { field, select } = formFields("flow", state.fields, inputs);
  const initChoice = h("div", { class: "radios", role: "radiogroup", "aria-label": t("init") },
    ["scheme", "sigma"].map((value) => h("label", { class: "toggle" },
      h("input", { type: "radio", name: "flow-init", value, checked: state.fields.init === value }),
      h("span", { "data-i18n": `init-${value}` }, t(`init-${value}`)))));
  const schemeFields = h("div", { class: "group" },
    select("scheme", "scheme", SCHEMES.map((s) => [s])),
    select("mode", "mode", [["fan_in"], ["fan_out"]]),
    field("gain", "gain", { min: 0, step: "any", placeholder: t("gain-default") }));
  const sigmaFields = h("div", { class: "group" }, field("sigma_w", "sigma-w", { min: 0, step: "any" }));

  const form = h("form", { class: "controls flow-controls", novalidate: true },
    picker.element,
    paramsBox,
    h("fieldset", {}, h("legend", { "data-i18n": "network" }, t("network")),
      field("depth", "depth", { min: 1, max: limits.max_depth, step: 1 }),
      field("width", "width", { min: 1, max: limits.max_width, step: 1 }),
      field("batch", "batch", { min: 1, max: limits.max_batch, step: 1 }),
      field("seed", "seed", { min: 0, step: 1 })),
    h("fieldset", {}, h("legend", { "data-i18n": "init" }, t("init")),
      initChoice, schemeFields, sigmaFields, field("sigma_b", "sigma-b", { min: 0, step: "any" })),
    h("fieldset", {}, h("legend", { "data-i18n": "input" }, t("input")),
      select("dist", "distribution", [["normal", "dist-normal"], ["uniform", "dist-uniform"]]),
      field("scale", "scale", { min: 0, step: "any" })),
    h("fieldset", {}, h("legend", { "data-i18n": "backward" }, t("backward")),
      select("loss", "loss", [["random_projection", "loss-random_projection"], ["sum", "loss-sum"], ["mse", "loss-mse"]]),
      select("dtype", "dtype", [["float32"], ["float64"]])),
    h("button", { type: "submit", class: "run", "data-i18n": "run" }, t("run")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    runSoon.cancel();
    run();
  });
  form.addEventListener("input", (event) => {
    if (event.target.closest(".params-box") || event.target.closest(".picker")) return;
    readFields();
    changed();
  });

  const summary = h("dl", { class: "summary", "aria-live": "polite" });
  const charts = {};
  const chartBox = (key, options) => {
    const host = h("div", { class: "chart-host" });
    charts[key] = new Chart(host, { height: 260, ...options });
    return h("div", { class: `flow-chart flow-${key}`, "data-chart": key }, host);
  };
  const element = h("div", { class: "view-flow" },
    form,
    h("div", { class: "results" },
      alert.element,
      h("p", { class: "status muted", "aria-live": "polite" }),
      summary,
      h("div", { class: "flow-charts" },
        chartBox("gradient", { yLog: true }),
        chartBox("signal", { yLog: true }),
        chartBox("fractions", {}),
        chartBox("phase", { onClick: (x, y) => pickPoint(x, y) }))));
  const status = element.querySelector(".status");

  const runSoon = debounce(() => run(), 500);

  function changed() {
    syncVisibility();
    context.changed();
    runSoon();
  }

  function readFields() {
    for (const [key, input] of Object.entries(inputs)) state.fields[key] = input.value;
    state.fields.init = initChoice.querySelector("input:checked")?.value ?? "scheme";
  }

  function writeFields() {
    for (const [key, input] of Object.entries(inputs)) input.value = state.fields[key];
    for (const radio of initChoice.querySelectorAll("input")) radio.checked = radio.value === state.fields.init;
    syncVisibility();
  }

  function syncVisibility() {
    const scheme = state.fields.init === "scheme";
    schemeFields.hidden = !scheme;
    sigmaFields.hidden = scheme;
    inputs.mode.closest(".field").hidden = !state.fields.scheme.startsWith("he_");
  }

  function buildParams() {
    const specs = elementwise.find((e) => e.name === state.name || e.aliases.includes(state.name))?.parameters ?? [];
    paramsBox.replaceChildren(paramsBox.firstChild, parameterEditor(specs, state.params, (given, reset) => {
      state.params = given;
      if (reset) buildParams();
      changed();
    }));
  }

  const number = (key) => (state.fields[key].trim() === "" ? null : Number(state.fields[key]));

  /** The request, as the API's GradientFlowRequest. */
  function request() {
    const f = state.fields;
    const init = {};
    if (f.init === "scheme") {
      init.scheme = f.scheme;
      if (f.scheme.startsWith("he_")) init.mode = f.mode;
      if (number("gain") !== null) init.gain = number("gain");
    } else {
      init.sigma_w = number("sigma_w");
    }
    if (number("sigma_b")) init.sigma_b = number("sigma_b");
    return {
      activation: state.name,
      params: state.params,
      depth: number("depth"),
      width: number("width"),
      batch: number("batch"),
      seed: number("seed"),
      init,
      input: { distribution: f.dist, scale: number("scale") },
      loss: f.loss,
      dtype: f.dtype,
    };
  }

  function run() {
    const body = request();
    status.textContent = t("running");
    simulationRun(async (signal) => {
      try {
        const answer = await api.gradientFlow(body, signal);
        if (signal.aborted) return;
        result = answer;
        alert.show(null);
        status.textContent = "";
        state.name = answer.activation;
        picker.set(answer.activation);
        render();
        await drawPhase(signal);
      } catch (error) {
        if (api.isAbort(error) || signal.aborted) return;
        status.textContent = "";
        alert.show(error);
      }
    });
  }

  function render() {
    if (!result) return;
    const { layers, summary: s, theory } = result;
    const depth = layers.length;
    const x = [0.5, depth + 0.5];
    const line = (key) => [layers.map((layer) => [layer.layer, num(layer[key])])];
    const item = (key, value, attributes = {}) =>
      h("div", {}, h("dt", { "data-i18n": key }, t(key)), h("dd", { "data-summary": key, ...attributes }, value));
    summary.replaceChildren(
      item("verdict", t(`verdict-${s.verdict}`), { class: `verdict verdict-${s.verdict}` }),
      item("gradient-ratio", `${short(s.gradient_ratio, 4)}  (${t("theory")} ${short(s.theory_gradient_ratio, 4)})`),
      item("chi1", short(theory.chi_1, 6)),
      item("phase", t(`phase-${theory.phase}`), { class: `phase phase-${theory.phase}` }),
      item("q-star", short(theory.q_star, 6)),
      item("xi-q", short(theory.xi_q, 4)),
      item("xi-c", short(theory.xi_c, 4)),
      item("sigmas", `σ_w² = ${short(s.sigma_w2, 6)}, σ_b² = ${short(s.sigma_b2, 6)}`),
      item("init-used", `${s.scheme}${s.gain === null ? "" : `, ${t("gain")} ${short(s.gain, 6)}`}`),
    );
    charts.gradient.setLabels({ title: t("chart-gradient"), xLabel: t("layer"), yLabel: t("grad-rms") });
    charts.gradient.update({
      x,
      series: [
        { id: "grad_preact_rms", label: t("measured"), color: MEASURED, segments: line("grad_preact_rms"), markers: true },
        { id: "theory_grad_preact_rms", label: t("theory"), color: THEORY, dash: "6 4", segments: line("theory_grad_preact_rms") },
      ],
    });
    charts.signal.setLabels({ title: t("chart-signal"), xLabel: t("layer"), yLabel: "q = E[h²]" });
    charts.signal.update({
      x,
      series: [
        { id: "preact_second_moment", label: t("measured"), color: MEASURED, segments: line("preact_second_moment"), markers: true },
        { id: "theory_preact_second_moment", label: t("theory"), color: THEORY, dash: "6 4", segments: line("theory_preact_second_moment") },
      ],
    });
    charts.fractions.setLabels({ title: t("chart-fractions"), xLabel: t("layer"), yLabel: t("fraction") });
    charts.fractions.update({
      x,
      y: [-0.03, 1.03],
      series: [
        { id: "dead_fraction", label: t("dead"), color: "#000000", segments: line("dead_fraction"), markers: true },
        { id: "saturated_fraction", label: t("saturated"), color: "#CC79A7", segments: line("saturated_fraction"), markers: true },
        { id: "inactive_fraction", label: t("inactive"), color: "#E69F00", dash: "3 3", segments: line("inactive_fraction") },
      ],
    });
  }

  async function drawPhase(signal) {
    if (!result) return;
    const { summary: s, theory } = result;
    const sigmaB2 = num(s.sigma_b2);
    const sigmaW2 = num(s.sigma_w2);
    const right = niceCeiling(Math.max(1, 1.5 * sigmaB2));
    const grid = Array.from({ length: CRITICAL_POINTS }, (_, i) => Number(((right * i) / (CRITICAL_POINTS - 1)).toPrecision(12)));
    const answer = await criticalRun(() => api.criticalLine({ activation: result.activation, params: result.params, sigma_b2: grid }));
    if (signal.aborted) return;
    const line = answer.points.map((p) => [p.sigma_b2, p.sigma_w2 === null ? NaN : num(p.sigma_w2)]);
    const finite = line.map(([, y]) => y).filter(Number.isFinite);
    const top = niceCeiling(Math.max(2, 1.3 * Math.max(0, ...finite), 1.2 * (Number.isFinite(sigmaW2) ? sigmaW2 : 0)));
    const below = sidesOf(line, sigmaB2, sigmaW2, theory.phase);
    charts.phase.setLabels({ title: t("chart-phase"), xLabel: "σ_b²", yLabel: "σ_w²" });
    charts.phase.update({
      x: [0, right],
      y: [0, top],
      series: [{ id: "critical", label: t("critical-line"), color: "#000000", width: 2.5, segments: [line] }],
      points: [{ id: "current", x: sigmaB2, y: sigmaW2, color: PHASE_COLOURS[theory.phase], label: t(`phase-${theory.phase}`) }],
      notes: [
        { fx: 0.97, fy: 0.93, anchor: "end", text: t(`phase-${below}`) },
        { fx: 0.03, fy: 0.08, anchor: "start", text: t(`phase-${below === "ordered" ? "chaotic" : "ordered"}`) },
      ],
      legend: [{ kind: "dot", color: PHASE_COLOURS[theory.phase], label: t("this-network") }],
    });
  }

  function pickPoint(sigmaB2, sigmaW2) {
    if (!(sigmaB2 >= 0) || !(sigmaW2 > 0)) return;
    state.fields.init = "sigma";
    state.fields.sigma_w = String(Number(Math.sqrt(sigmaW2).toPrecision(4)));
    state.fields.sigma_b = String(Number(Math.sqrt(sigmaB2).toPrecision(4)));
    writeFields();
    context.changed();
    runSoon.cancel();
    run();
  }

  return {
    id: "flow",
    titleKey: "view-flow",
    element,
    restore(query) {
      state.name = query.get("name") || "tanh";
      const entry = elementwise.find((e) => e.name === state.name || e.aliases.includes(state.name));
      state.params = paramsFromQuery(query, entry?.parameters ?? []);
      state.fields = { ...FIELDS };
      for (const key of Object.keys(FIELDS)) if (query.has(key)) state.fields[key] = query.get(key);
      picker.set(state.name);
      writeFields();
      buildParams();
      run();
    },
    query() {
      const query = new URLSearchParams({ name: state.name });
      paramsToQuery(query, state.params);
      for (const [key, value] of Object.entries(state.fields)) if (value !== FIELDS[key]) query.set(key, value);
      return query;
    },
    language() {
      picker.label.textContent = t("activation");
      inputs.gain.placeholder = t("gain-default");
      initChoice.setAttribute("aria-label", t("init"));
      render();
      if (result) drawPhase({ aborted: false });
    },
  };
}

/** 1, 2, 2.5 or 5 times a power of ten, at least x. */
function niceCeiling(x) {
  const power = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((v) => v >= x * (1 - 1e-12));
}

/**
 * Which phase lies below the critical line: read from this network's phase (from the API) and
 * its side of the line; ordered below when it lies on the line or the line is not there.
 */
function sidesOf(line, x, y, phase) {
  const known = line.filter(([, w]) => Number.isFinite(w));
  if (phase === "critical" || !known.length || !Number.isFinite(y)) return "ordered";
  const nearest = known.reduce((best, p) => (Math.abs(p[0] - x) < Math.abs(best[0] - x) ? p : best));
  const above = y > nearest[1];
  return above === (phase === "chaotic") ? "ordered" : "chaotic";
}
