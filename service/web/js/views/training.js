// View 4, training: several activations trained by the API on the same task, the same data
// and the same seeds (POST /simulations/training-comparison; one activation alone goes to
// /simulations/training), each at its own initial gain. Loss, accuracy and the share of dead
// units against step, the mean over the trials, one colour per activation; the ranking with
// its confidence intervals, and how many networks were born dead, died or diverged.

import * as api from "../api.js";
import { Chart } from "../chart.js";
import { alertLine, h } from "../dom.js";
import { num, short } from "../format.js";
import { t } from "../i18n.js";
import { activationPicker } from "../picker.js";
import { debounce, latest } from "../timing.js";
import { PALETTE, chipItems, formFields } from "./shared.js";

const MOST = PALETTE.length;
const MARKED = 60;
const DEFAULT_NAMES = ["relu", "tanh", "sigmoid"];
const PLANES = ["spiral", "circle", "xor", "gaussian", "moons"];
const TASKS = [...PLANES, "linear_teacher", "nonlinear_teacher"];
const SCHEMES = ["xavier_normal", "xavier_uniform", "he_normal", "he_uniform", "lecun_normal", "orthogonal", "torch_default"];
const OPTIMIZERS = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"];
const FIELDS = {
  task: "spiral",
  noise: "0.1",
  depth: "3",
  width: "32",
  scheme: "xavier_normal",
  bias_mean: "0",
  optimizer: "adam",
  lr: "0.01",
  steps: "1000",
  batch: "32",
  trials: "4",
  seed: "0",
};

export function trainingView(context) {
  const elementwise = context.catalog.filter((entry) => entry.kind === "elementwise");
  const limits = context.limits;
  const most = Math.min(MOST, limits.max_entrants ?? MOST);
  const state = { names: [...DEFAULT_NAMES], fields: { ...FIELDS } };
  let result = null; // {runs, ranking, classification}
  const alert = alertLine();
  const trainingRun = latest();

  const picker = activationPicker({ entries: elementwise, label: t("add-activation"), onPick: (text) => add(text) });
  const chips = h("ul", { class: "chips", "aria-live": "polite" });
  const hint = h("p", { class: "muted" });
  const inputs = {};
  const { field, select } = formFields("training", state.fields, inputs);

  const form = h("form", { class: "controls training-controls", novalidate: true },
    h("fieldset", {}, h("legend", { "data-i18n": "activations" }, t("activations")), picker.element, chips, hint),
    h("fieldset", {}, h("legend", { "data-i18n": "task" }, t("task")),
      select("task", "task", TASKS.map((name) => [name, `task-${name}`])),
      field("noise", "noise", { min: 0, step: "any" })),
    h("fieldset", {}, h("legend", { "data-i18n": "network" }, t("network")),
      field("depth", "hidden-layers", { min: 1, max: limits.max_depth, step: 1 }),
      field("width", "width", { min: 1, max: limits.max_width, step: 1 }),
      select("scheme", "scheme", SCHEMES.map((s) => [s])),
      field("bias_mean", "bias-mean", { step: "any" })),
    h("fieldset", {}, h("legend", { "data-i18n": "optimization" }, t("optimization")),
      select("optimizer", "optimizer", OPTIMIZERS.map((o) => [o])),
      field("lr", "learning-rate", { min: 0, step: "any" }),
      field("steps", "steps", { min: 0, max: limits.max_run_steps, step: 1 }),
      field("batch", "batch", { min: 1, max: limits.max_batch, step: 1 }),
      field("trials", "trials", { min: 1, max: limits.max_trials, step: 1 }),
      field("seed", "seed", { min: 0, step: 1 })),
    h("button", { type: "submit", class: "run", "data-i18n": "train" }, t("train")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    runSoon.cancel();
    run();
  });
  form.addEventListener("input", (event) => {
    if (event.target.closest(".picker")) return;
    readFields();
    changed();
  });

  const charts = {};
  const chartBox = (key, options) => {
    const host = h("div", { class: "chart-host" });
    charts[key] = new Chart(host, { height: 260, ...options });
    return h("div", { class: `training-chart training-${key}`, "data-chart": key }, host);
  };
  const rankingBox = h("div", { class: "table-scroll" });
  const element = h("div", { class: "view-training" },
    form,
    h("div", { class: "results" },
      alert.element,
      h("p", { class: "status muted", "aria-live": "polite" }),
      h("div", { class: "flow-charts" },
        chartBox("loss", { yLog: true }),
        chartBox("accuracy", {}),
        chartBox("dead", {})),
      h("section", { class: "ranking" }, h("h2", { "data-i18n": "ranking" }, t("ranking")), rankingBox)));
  const status = element.querySelector(".status");

  // A training run costs seconds: wait for a pause in the typing before asking for one.
  const runSoon = debounce(() => run(), 800);

  function changed() {
    context.changed();
    runSoon();
  }

  function readFields() {
    for (const [key, input] of Object.entries(inputs)) state.fields[key] = input.value;
  }

  function writeFields() {
    for (const [key, input] of Object.entries(inputs)) input.value = state.fields[key];
  }

  function entryOf(text) {
    return elementwise.find((e) => e.name === text || e.aliases.includes(text));
  }

  function add(text) {
    alert.show(null);
    const entry = entryOf(text);
    picker.set("");
    if (!entry) {
      const known = context.catalog.find((e) => e.name === text || e.aliases.includes(text));
      alert.show(new Error(known ? t("not-elementwise", { name: known.name }) : t("unknown-name", { name: text })));
      return;
    }
    if (state.names.includes(entry.name)) return;
    if (state.names.length >= most) {
      alert.show(new Error(t("compare-full", { most })));
      return;
    }
    state.names.push(entry.name);
    changedNames();
  }

  function remove(name) {
    state.names = state.names.filter((n) => n !== name);
    changedNames();
  }

  function changedNames() {
    renderChips();
    context.changed();
    runSoon();
  }

  function renderChips() {
    chips.replaceChildren(...chipItems(state.names, remove));
    picker.input.disabled = state.names.length >= most;
    hint.textContent = t("training-hint", { most });
  }

  const number = (key) => (state.fields[key].trim() === "" ? null : Number(state.fields[key]));

  /** The request, as the API's TrainingComparisonRequest (or TrainingRunRequest for one). */
  function request() {
    const f = state.fields;
    const task = { name: f.task };
    if (number("noise") !== null) task.noise = number("noise");
    const init = { scheme: f.scheme };
    if (number("bias_mean")) init.bias_mean = number("bias_mean");
    const training = { steps: number("steps"), optimizer: f.optimizer };
    if (number("lr") !== null) training.learning_rate = number("lr");
    const body = {
      depth: number("depth"),
      width: number("width"),
      task,
      init,
      training,
      batch: number("batch"),
      trials: number("trials"),
      seed: number("seed"),
    };
    if (state.names.length === 1) return { activation: state.names[0], ...body };
    return { ...body, entrants: state.names.map((name) => ({ activation: name })) };
  }

  function run() {
    if (!state.names.length) {
      alert.show(new Error(t("training-none")));
      return;
    }
    const body = request();
    status.textContent = t("training-running");
    trainingRun(async (signal) => {
      try {
        const answer = body.entrants ? await api.trainingComparison(body, signal) : await api.training(body, signal);
        if (signal.aborted) return;
        result = {
          runs: answer.entrants ?? [answer.run],
          ranking: answer.ranking ?? null,
          classification: (answer.entrants ?? [answer.run])[0].curves.test_accuracy !== null,
          trials: answer.trials,
        };
        alert.show(null);
        status.textContent = t("training-done", { trials: answer.trials, steps: answer.steps, examples: answer.train_examples });
        render();
      } catch (error) {
        if (api.isAbort(error) || signal.aborted) return;
        status.textContent = "";
        alert.show(error);
      }
    });
  }

  /** Each run's mean over the trials of one curve, against step. */
  function lines(metric, dash = undefined) {
    return result.runs.map((r, i) => ({
      id: `${r.label}/${metric}`,
      label: dash ? "" : r.label, // the title says which line is which split
      color: PALETTE[i % PALETTE.length],
      dash,
      markers: !dash && r.curves.steps.length <= MARKED, // beyond, dots would hide the line
      segments: [r.curves.steps.map((step, k) => [step, num(r.curves[metric].mean[k])])],
    }));
  }

  function render() {
    if (!result) return;
    const last = Math.max(1, ...result.runs.map((r) => r.curves.steps.at(-1)));
    const x = [0, last];
    charts.loss.setLabels({ title: t("chart-loss"), xLabel: t("step"), yLabel: t("loss-mean") });
    charts.loss.update({ x, series: [...lines("test_loss"), ...lines("train_loss", "5 4")] });
    const accuracy = charts.accuracy.host.closest(".training-chart");
    accuracy.hidden = !result.classification;
    if (result.classification) {
      charts.accuracy.setLabels({ title: t("chart-accuracy"), xLabel: t("step"), yLabel: t("accuracy-mean") });
      charts.accuracy.update({ x, y: [-0.03, 1.03], series: [...lines("test_accuracy"), ...lines("train_accuracy", "5 4")] });
    }
    charts.dead.setLabels({ title: t("chart-dead"), xLabel: t("step"), yLabel: t("fraction") });
    charts.dead.update({ x, y: [-0.03, 1.03], series: lines("dead_fraction") });
    rankingBox.replaceChildren(rankingTable());
  }

  function rankingTable() {
    const standings = result.ranking?.standings ?? [{ label: result.runs[0].label, rank: 1, estimate: null }];
    const metric = result.ranking?.metric ?? (result.classification ? "test_accuracy" : "test_loss");
    const byLabel = new Map(result.runs.map((r, i) => [r.label, { run: r, color: PALETTE[i % PALETTE.length] }]));
    const interval = (e) => (e && e.low !== null ? `${short(e.low, 4)} – ${short(e.high, 4)}` : "—");
    return h("table", { class: "comparison-table ranking-table" },
      h("caption", {}, t("ranking-caption", { metric: t(`metric-${metric}`), confidence: Math.round(100 * (result.ranking?.confidence ?? 0.95)) })),
      h("thead", {}, h("tr", {}, ["rank", "name", `metric-${metric}`, "interval", "versus-best", "born-dead", "died", "diverged"].map((key) =>
        h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, standings.map((s) => {
        const { run, color } = byLabel.get(s.label);
        const estimate = s.estimate ?? run.final[metric];
        return h("tr", { "data-label": s.label },
          h("td", {}, String(s.rank)),
          h("th", { scope: "row", style: `--color: ${color}` }, h("span", { class: "swatch" }), s.label),
          h("td", { "data-cell": "mean" }, short(estimate.mean, 4)),
          h("td", { "data-cell": "interval" }, interval(estimate)),
          h("td", { "data-cell": "versus-best" }, s.versus_best ? `${short(s.versus_best.mean, 3)} (${interval(s.versus_best)})${s.distinguishable ? " *" : ""}` : "—"),
          h("td", { "data-cell": "born-dead" }, short(run.born_dead_fraction, 3)),
          h("td", { "data-cell": "died" }, short(run.died_fraction, 3)),
          h("td", { "data-cell": "diverged" }, short(run.diverged_fraction, 3)));
      })));
  }

  return {
    id: "training",
    titleKey: "view-training",
    element,
    restore(query) {
      const names = (query.get("names") ?? "").split(",").map((n) => n.trim()).filter(Boolean);
      state.names = names.length ? [...new Set(names.map((n) => entryOf(n)?.name ?? n))].slice(0, most) : [...DEFAULT_NAMES];
      state.fields = { ...FIELDS };
      for (const key of Object.keys(FIELDS)) if (query.has(key)) state.fields[key] = query.get(key);
      writeFields();
      renderChips();
      run();
    },
    query() {
      const query = new URLSearchParams({ names: state.names.join(",") });
      for (const [key, value] of Object.entries(state.fields)) if (value !== FIELDS[key]) query.set(key, value);
      return query;
    },
    language() {
      picker.label.textContent = t("add-activation");
      renderChips();
      render();
    },
  };
}
