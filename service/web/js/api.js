// The service's API, as the page uses it. Every request goes to this page's own origin.
// An error answer is an RFC 9457 problem: ApiError carries it, and its message is the
// problem's `detail`, which the views show as it is.

const BASE = "/api/v1";

export class ApiError extends Error {
  constructor(problem, status) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = "ApiError";
    this.problem = problem;
    this.status = status;
  }
}

/** Whether `error` is the abort of a request that a newer one replaced. */
export function isAbort(error) {
  return error?.name === "AbortError";
}

async function call(path, { method = "GET", body, signal, query } = {}) {
  const url = query && [...query].length ? `${path}?${query}` : path;
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(url, {
    method,
    headers,
    signal,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let document = null;
  try {
    document = text ? JSON.parse(text) : null;
  } catch {
    document = null;
  }
  if (!response.ok) {
    throw new ApiError(document ?? { detail: `${response.status} ${response.statusText}` }, response.status);
  }
  return document;
}

function paramsQuery(params, extra = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) query.append(name, String(value));
  for (const [name, value] of Object.entries(extra)) query.append(name, String(value));
  return query;
}

// Answers that are functions of their request (the service sends them with ETags), kept for
// the page's lifetime: the most recent MEMORY of them. They are never aborted, as a second
// caller may be waiting on the same answer; callers drop what they no longer need.
const MEMORY = 200;
const answers = new Map();
function cached(key, load) {
  let promise = answers.get(key);
  if (promise === undefined) {
    promise = load();
    promise.catch(() => answers.delete(key));
    if (answers.size >= MEMORY) answers.delete(answers.keys().next().value);
  } else {
    answers.delete(key);
  }
  answers.set(key, promise);
  return promise;
}

/** GET /activations: every entry, its aliases, formulas and parameters (loaded once). */
export function catalog() {
  return cached("catalog", () => call(`${BASE}/activations`).then((body) => body.activations));
}

/** The limits this instance enforces, from its OpenAPI document (`info.x-limits`). */
export function limits() {
  return cached("limits", () => call("/openapi.json").then((body) => body.info["x-limits"] ?? {}));
}

/** GET /activations/{name}: properties measured for `params`, texts in `lang`. */
export function describe(name, params, lang) {
  const key = `describe ${name} ${lang} ${JSON.stringify(params)}`;
  return cached(key, () =>
    call(`${BASE}/activations/${encodeURIComponent(name)}`, { query: paramsQuery(params, { lang }) }),
  );
}

/** POST /activations/{name}/evaluate, in float64: value, gradient and second derivative. */
export function evaluate(name, x, params, outputs, signal) {
  return call(`${BASE}/activations/${encodeURIComponent(name)}/evaluate`, {
    method: "POST",
    body: { x, params, outputs, dtype: "float64" },
    signal,
  });
}

/** GET /compare: measured properties side by side (default parameters). */
export function compare(names) {
  return cached(`compare ${names}`, () =>
    call(`${BASE}/compare`, { query: new URLSearchParams({ names: names.join(",") }) }),
  );
}

/** POST /simulations/gradient-flow. */
export function gradientFlow(request, signal) {
  return call(`${BASE}/simulations/gradient-flow`, { method: "POST", body: request, signal });
}

/** POST /simulations/critical-line: sigma_w^2 with chi_1 = 1 for each sigma_b^2. */
export function criticalLine(request) {
  return cached(`critical ${JSON.stringify(request)}`, () =>
    call(`${BASE}/simulations/critical-line`, { method: "POST", body: request }),
  );
}

/** POST /simulations/training: one activation trained from several seeds. */
export function training(request, signal) {
  return call(`${BASE}/simulations/training`, { method: "POST", body: request, signal });
}

/** POST /simulations/training-comparison: several activations on the same data and seeds. */
export function trainingComparison(request, signal) {
  return call(`${BASE}/simulations/training-comparison`, { method: "POST", body: request, signal });
}

/** POST /formulas: the normal form, f′ and f″, the stable forms served and the accuracy. */
export function analyseFormula(formula, params) {
  return cached(`formula ${JSON.stringify([formula, params])}`, () =>
    call(`${BASE}/formulas`, { method: "POST", body: { activation: formula, params, accuracy: true } }),
  );
}

/** POST /formulas/describe: a formula described as GET /activations/{name} describes an entry. */
export function describeFormula(formula, params, lang) {
  return cached(`describe-formula ${lang} ${JSON.stringify([formula, params])}`, () =>
    call(`${BASE}/formulas/describe`, {
      method: "POST",
      body: { activation: formula, params },
      query: new URLSearchParams({ lang }),
    }),
  );
}

/** POST /formulas/evaluate, in float64, as `evaluate` for a catalog entry. */
export function evaluateFormula(formula, x, params, outputs, signal) {
  return call(`${BASE}/formulas/evaluate`, {
    method: "POST",
    body: { activation: formula, x, params, outputs, dtype: "float64" },
    signal,
  });
}
