// Where to evaluate a curve for drawing, and how to cut it where it jumps.
//
// The grid is even, plus, at each measured discontinuity d (from the API's properties), d
// itself and the doubles on either side of it: the curve of a derivative that jumps at d is
// drawn up to its left and from its right neighbour, never across, and the value at d (the
// entry's convention) is drawn as a dot, with open circles at the one-sided limits.

const buffer = new DataView(new ArrayBuffer(8));

/** The adjacent double towards +∞ (step = 1) or −∞ (step = −1), for finite nonzero-step use. */
export function adjacent(x, step) {
  if (x === 0) return step * Number.MIN_VALUE;
  buffer.setFloat64(0, x);
  const bits = buffer.getBigInt64(0);
  buffer.setBigInt64(0, bits + BigInt((x > 0 ? 1 : -1) * step));
  return buffer.getFloat64(0);
}

/**
 * The x at which to evaluate [lo, hi] in `count` steps, and the breaks: for each x of a
 * discontinuity within (lo, hi), the lowest derivative order that jumps there (0: f itself)
 * and whether a derivative of each order jumps.
 */
export function grid(lo, hi, count, discontinuities) {
  const breaks = new Map();
  for (const { x, order } of discontinuities) {
    if (!(x > lo && x < hi)) continue;
    const known = breaks.get(x) ?? { x, lowest: order, orders: new Set() };
    known.lowest = Math.min(known.lowest, order);
    known.orders.add(order);
    breaks.set(x, known);
  }
  const xs = new Set();
  for (let i = 0; i <= count; i++) xs.add(i === count ? hi : lo + ((hi - lo) * i) / count);
  for (const x of breaks.keys()) {
    xs.add(x);
    xs.add(adjacent(x, -1));
    xs.add(adjacent(x, 1));
  }
  return { xs: [...xs].sort((a, b) => a - b), breaks: [...breaks.values()] };
}

/**
 * The curve of derivative `order` through (xs, ys), in pieces, and the dots at its jumps:
 * a filled dot for the value at d, an open one for each one-sided limit that differs from it.
 */
export function pieces(xs, ys, breaks, order) {
  const cuts = new Map(breaks.filter((b) => b.lowest <= order).map((b) => [b.x, b]));
  const segments = [[]];
  const dots = [];
  xs.forEach((x, i) => {
    const cut = cuts.get(x);
    if (!cut) {
      segments.at(-1).push([x, ys[i]]);
      return;
    }
    segments.push([]);
    if (!cut.orders.has(order)) return;
    const at = ys[i];
    dots.push({ x, y: at, open: false });
    for (const side of [ys[i - 1], ys[i + 1]]) {
      if (Number.isFinite(side) && !(Math.abs(side - at) <= 1e-9 * Math.max(1, Math.abs(at)))) {
        dots.push({ x, y: side, open: true });
      }
    }
  });
  return { segments: segments.filter((s) => s.length), dots };
}
