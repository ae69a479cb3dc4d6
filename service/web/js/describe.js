// What the API says of one activation, laid out: description, formulas, measured properties,
// initialisation, pros and cons, identities, references and the same call in other libraries.

import { h } from "./dom.js";
import { exact, short } from "./format.js";
import { t } from "./i18n.js";
import { formula } from "./math.js";

const yesNo = (value) => (value === null || value === undefined ? "—" : t(value ? "yes" : "no"));
const word = (prefix, value) => (value === null || value === undefined ? "—" : t(`${prefix}-${value}`, {}, value));

function attained(value) {
  if (!value) return "—";
  return value.at ? `${short(value.value, 6)}  (x ∈ ${value.at.notation})` : `${short(value.value, 6)}  (${t("at-infinity")})`;
}

function discontinuity({ x, order, jump }) {
  const which = ["f", "f′", "f″"][order] ?? `f^(${order})`;
  return t("discontinuity", { which, x: short(x, 6), jump: short(jump, 4) });
}

function table(rows) {
  return h("table", { class: "properties" },
    h("tbody", {}, rows.map(([key, value]) =>
      h("tr", { "data-property": key }, h("th", { scope: "row" }, t(`prop-${key}`)), h("td", {}, value)))));
}

function section(key, ...content) {
  return h("section", { class: "info-section", "data-section": key }, h("h3", {}, t(key)), ...content);
}

function properties(p) {
  return table([
    ["range", p.range.notation],
    ["monotonic", word("mono", p.monotonic)],
    ["derivative_monotonic", word("mono", p.derivative_monotonic)],
    ["continuity", p.continuity ?? "—"],
    ["discontinuities", p.discontinuities.length ? p.discontinuities.map(discontinuity).join("; ") : t("none")],
    ["value_at_zero", exact(p.value_at_zero)],
    ["derivative_at_zero", exact(p.derivative_at_zero)],
    ["approximates_identity_near_origin", yesNo(p.approximates_identity_near_origin)],
    ["gaussian_mean", short(p.gaussian_mean, 6)],
    ["gaussian_variance", short(p.gaussian_variance, 6)],
    ["zero_centred", yesNo(p.zero_centred)],
    ["saturates_below", short(p.saturates_below, 4)],
    ["saturates_above", short(p.saturates_above, 4)],
    ["max_abs_derivative", attained(p.max_abs_derivative)],
    ["global_minimum", attained(p.global_minimum)],
    ["global_maximum", attained(p.global_maximum)],
    ["self_normalising", yesNo(p.self_normalising)],
    ["dead_zones", p.dead_zones.length ? p.dead_zones.map((z) => z.notation).join(", ") : t("none")],
    ["cost", p.cost ?? "—"],
  ]);
}

/** The info panel's contents for a GET /activations/{name} answer. */
export function describeActivation(detail) {
  const init = detail.initialisation;
  const aliases = detail.aliases.length ? ` (${t("also")} ${detail.aliases.join(", ")})` : "";
  const parts = [
    h("header", { class: "info-head" },
      h("h2", {}, detail.name, h("small", {}, aliases)),
      h("p", { class: "tags" }, h("span", { class: "tag" }, detail.family), h("span", { class: "tag" }, t(`kind-${detail.kind}`)))),
    detail.description ? h("p", { class: "description" }, detail.description) : null,
    section("formulas",
      formula(detail.formula, { display: true }),
      formula(detail.derivative_formula, { display: true }),
      detail.second_derivative_formula ? formula(detail.second_derivative_formula, { display: true }) : null,
      detail.kink ? h("p", { class: "muted" }, `${t("kink-convention")}: ${detail.kink}`) : null),
    detail.properties
      ? section("properties", h("p", { class: "muted" }, t("measured-for", { params: paramsText(detail.params) })), properties(detail.properties))
      : section("properties",
          h("p", { class: "muted" }, detail.properties_note ?? ""),
          table([
            ["range", detail.declared.range.notation],
            ["continuity", detail.declared.continuity],
            ["cost", detail.declared.cost],
          ])),
    section("initialisation", table([
      ["scheme", init.scheme ?? "—"],
      ["gain", init.gain === null ? "—" : `${short(init.gain, 6)}${init.gain_call ? `  (${init.gain_call})` : ""}`],
      ["critical_sigma_w2", short(init.critical_sigma_w2, 6)],
    ]), init.note ? h("p", {}, init.note) : null),
    detail.pros.length ? section("pros", h("ul", { class: "pros" }, detail.pros.map((p) => h("li", {}, p)))) : null,
    detail.cons.length ? section("cons", h("ul", { class: "cons" }, detail.cons.map((c) => h("li", {}, c)))) : null,
    detail.identities.length ? section("identities", h("ul", { class: "identities" }, detail.identities.map((i) => h("li", {}, formula(i))))) : null,
    detail.references.length
      ? section("references", h("ul", { class: "references" }, detail.references.map((r) =>
          h("li", {}, `${r.authors}, `, h("a", { href: r.url, rel: "noopener noreferrer", target: "_blank" }, r.title), `, ${r.venue}, ${r.year}.`))))
      : null,
    section("equivalents",
      h("p", { class: "muted" }, `${t("follows")}: ${detail.follows}`),
      h("ul", { class: "equivalents" }, detail.equivalents.map((e) =>
        h("li", {}, h("strong", {}, e.library), " ", h("code", {}, e.call), e.differs ? h("small", {}, ` — ${e.differs}`) : null)))),
  ];
  return parts.filter(Boolean);
}

function paramsText(params) {
  const entries = Object.entries(params);
  return entries.length ? entries.map(([k, v]) => `${k} = ${typeof v === "number" ? exact(v) : v}`).join(", ") : t("no-params");
}
