// Numbers as the API sends them and as the page shows them.

/** A JSON number of the API as a Number: it writes infinities and NaN as strings. */
export function num(value) {
  if (typeof value === "number") return value;
  if (value === "Infinity") return Infinity;
  if (value === "-Infinity") return -Infinity;
  return NaN;
}

/** Every digit: the shortest decimal that reads back as the same double. */
export function exact(value) {
  const x = num(value);
  if (x === Infinity) return "∞";
  if (x === -Infinity) return "−∞";
  if (Number.isNaN(x)) return "NaN";
  return String(x).replace("-", "−");
}

/** A few significant digits, for tables and tick labels; "—" for nothing. */
export function short(value, digits = 4) {
  if (value === null || value === undefined) return "—";
  const x = num(value);
  if (!Number.isFinite(x)) return exact(x);
  if (x === 0) return "0";
  const magnitude = Math.abs(x);
  const text =
    magnitude >= 1e6 || magnitude < 1e-4
      ? x.toExponential(digits - 1).replace(/\.?0+e/, "e")
      : String(Number(x.toPrecision(digits)));
  return text.replace("-", "−");
}
