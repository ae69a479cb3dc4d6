// An SVG line chart: linear or logarithmic y, curves broken where they are given in pieces,
// point markers, open and filled dots, vertical marks and a cursor; zoom and pan by wheel,
// drag and keyboard when interactive. It draws what it is given: every number comes from
// the API, and the chart only maps it to pixels.
//
// The mapping is written on the <svg> (data-x-domain, data-y-domain, data-y-scale,
// data-plot-box), so that what is drawn can be read back and checked against the API.

import { short } from "./format.js";

const SVG = "http://www.w3.org/2000/svg"; // the namespace's name, not a place to fetch
const MARGIN = { left: 60, right: 14, top: 12, bottom: 42 };
const ZOOM = 1.25;

function node(name, attributes = {}, parent = null) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  parent?.append(element);
  return element;
}

const px = (value) => String(Math.round(value * 100) / 100);

/** About `count` round numbers spanning [lo, hi]: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(lo, hi, count) {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [lo];
  const rough = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks = [];
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) {
    ticks.push(Math.abs(k * step) < step * 1e-9 ? 0 : k * step);
  }
  return ticks;
}

function logTicks(lo, hi, count) {
  // lo, hi are log10 of the ends.
  const first = Math.ceil(lo - 1e-9);
  const last = Math.floor(hi + 1e-9);
  if (last - first >= 1) {
    const every = Math.max(1, Math.ceil((last - first + 1) / count));
    const ticks = [];
    for (let k = first; k <= last; k += every) ticks.push(10 ** k);
    return ticks;
  }
  // Less than a decade: round numbers in between, a few more since they crowd less.
  return niceTicks(10 ** lo, 10 ** hi, count + 2).filter((t) => t > 0);
}

export class Chart {
  /**
   * @param {HTMLElement} host where the chart goes
   * @param {object} options title, xLabel, yLabel, yLog, height, interactive; callbacks
   *   onView([lo, hi]) after a zoom or pan, onCursor(x), onClick(x, y), onReset()
   */
  constructor(host, options) {
    this.options = { height: 300, yLog: false, interactive: false, ...options };
    this.host = host;
    this.data = null;
    this.cursor = null;
    host.classList.add("chart");
    this.caption = document.createElement("p");
    this.caption.className = "chart-title";
    this.svg = node("svg", { role: "img", class: "chart-svg" });
    this.legend = document.createElement("ul");
    this.legend.className = "legend";
    host.append(this.caption, this.svg, this.legend);
    this.width = 0;
    new ResizeObserver(() => {
      if (host.clientWidth !== this.width) this.render();
    }).observe(host);
    if (this.options.interactive || this.options.onClick) this.#listen();
    this.setLabels(options);
  }

  setLabels({ title, xLabel, yLabel }) {
    Object.assign(this.options, { title, xLabel, yLabel });
    this.svg.setAttribute("aria-label", title ?? "");
    this.caption.textContent = title ?? "";
    if (this.options.interactive) this.host.setAttribute("aria-label", title ?? "");
    this.render();
  }

  /** Draws `data`: {x: [lo, hi], y?: [lo, hi], series, dots, marks, points, notes, legend}. */
  update(data) {
    this.data = data;
    this.render();
  }

  /** The cursor: a vertical line at x, with a dot for each {y, color} of `values`. */
  setCursor(cursor) {
    this.cursor = cursor;
    this.#drawCursor();
  }

  xToPx(x) {
    const [lo, hi] = this.xDomain;
    return this.box.left + ((x - lo) / (hi - lo)) * (this.box.right - this.box.left);
  }

  pxToX(p) {
    const [lo, hi] = this.xDomain;
    return lo + ((p - this.box.left) / (this.box.right - this.box.left)) * (hi - lo);
  }

  yToPx(y) {
    const [lo, hi] = this.yDomain;
    const t = this.options.yLog ? Math.log10(y) : y;
    const [tlo, thi] = this.options.yLog ? [Math.log10(lo), Math.log10(hi)] : [lo, hi];
    return this.box.bottom - ((t - tlo) / (thi - tlo)) * (this.box.bottom - this.box.top);
  }

  pxToY(p) {
    const [lo, hi] = this.yDomain;
    const f = (this.box.bottom - p) / (this.box.bottom - this.box.top);
    if (!this.options.yLog) return lo + f * (hi - lo);
    return 10 ** (Math.log10(lo) + f * (Math.log10(hi) - Math.log10(lo)));
  }

  render() {
    this.width = this.host.clientWidth;
    if (!this.data || this.width === 0) return;
    const width = this.width;
    const height = this.options.height;
    this.box = {
      left: MARGIN.left,
      top: MARGIN.top,
      right: width - MARGIN.right,
      bottom: height - MARGIN.bottom,
    };
    this.xDomain = this.data.x;
    this.yDomain = this.data.y ?? this.#fitY();
    const svg = this.svg;
    svg.replaceChildren();
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.dataset.xDomain = this.xDomain.join(",");
    svg.dataset.yDomain = this.yDomain.join(",");
    svg.dataset.yScale = this.options.yLog ? "log" : "linear";
    svg.dataset.plotBox = [this.box.left, this.box.top, this.box.right, this.box.bottom].join(",");
    this.#drawAxes();
    const clipId = `clip-${Math.random().toString(36).slice(2)}`;
    const clip = node("clipPath", { id: clipId }, node("defs", {}, svg));
    node("rect", {
      x: this.box.left,
      y: this.box.top,
      width: this.box.right - this.box.left,
      height: this.box.bottom - this.box.top,
    }, clip);
    const plot = node("g", { "clip-path": `url(#${clipId})`, class: "plot" }, svg);
    for (const mark of this.data.marks ?? []) this.#drawMark(plot, mark);
    for (const series of this.data.series) this.#drawSeries(plot, series);
    for (const dot of this.data.dots ?? []) this.#drawDot(plot, dot);
    for (const point of this.data.points ?? []) this.#drawPoint(plot, point);
    for (const note of this.data.notes ?? []) {
      const text = node("text", {
        x: px(this.box.left + note.fx * (this.box.right - this.box.left)),
        y: px(this.box.top + note.fy * (this.box.bottom - this.box.top)),
        "text-anchor": note.anchor ?? "middle",
        class: "note",
      }, svg);
      text.textContent = note.text;
    }
    this.cursorLayer = node("g", { class: "cursor" }, svg);
    this.#drawCursor();
    this.#drawLegend();
  }

  #fitY() {
    const [xlo, xhi] = this.xDomain;
    let lo = Infinity;
    let hi = -Infinity;
    const take = (x, y) => {
      if (x < xlo || x > xhi || !Number.isFinite(y) || (this.options.yLog && !(y > 0))) return;
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    };
    for (const series of this.data.series) {
      for (const segment of series.segments) for (const [x, y] of segment) take(x, y);
    }
    for (const dot of [...(this.data.dots ?? []), ...(this.data.points ?? [])]) take(dot.x, dot.y);
    if (lo > hi) return this.options.yLog ? [0.1, 10] : [-1, 1];
    if (this.options.yLog) {
      const [a, b] = [Math.log10(lo), Math.log10(hi)];
      const pad = Math.max((b - a) * 0.06, 0.15);
      return [10 ** (a - pad), 10 ** (b + pad)];
    }
    const pad = hi > lo ? (hi - lo) * 0.06 : Math.max(Math.abs(lo) * 0.1, 0.5);
    return [lo - pad, hi + pad];
  }

  #drawAxes() {
    const { svg, box } = this;
    const axes = node("g", { class: "axes" }, svg);
    const xTicks = niceTicks(...this.xDomain, Math.max(2, Math.floor((box.right - box.left) / 80)));
    const yCount = Math.max(2, Math.floor((box.bottom - box.top) / 50));
    const yTicks = this.options.yLog
      ? logTicks(Math.log10(this.yDomain[0]), Math.log10(this.yDomain[1]), yCount)
      : niceTicks(...this.yDomain, yCount);
    for (const x of xTicks) {
      const at = px(this.xToPx(x));
      node("line", { x1: at, x2: at, y1: box.top, y2: box.bottom, class: x === 0 ? "zero" : "grid" }, axes);
      const label = node("text", { x: at, y: box.bottom + 16, "text-anchor": "middle" }, axes);
      label.textContent = short(x, 4);
    }
    for (const y of yTicks) {
      const at = px(this.yToPx(y));
      const zero = y === 0 && !this.options.yLog;
      node("line", { x1: box.left, x2: box.right, y1: at, y2: at, class: zero ? "zero" : "grid" }, axes);
      const label = node("text", { x: box.left - 6, y: Number(at) + 4, "text-anchor": "end" }, axes);
      label.textContent = short(y, 3);
    }
    node("rect", {
      x: box.left,
      y: box.top,
      width: box.right - box.left,
      height: box.bottom - box.top,
      class: "frame",
    }, axes);
    const xLabel = node("text", {
      x: (box.left + box.right) / 2,
      y: this.options.height - 6,
      "text-anchor": "middle",
      class: "axis-label",
    }, axes);
    xLabel.textContent = this.options.xLabel ?? "";
    const yLabel = node("text", {
      x: 0,
      y: 0,
      transform: `translate(14 ${(box.top + box.bottom) / 2}) rotate(-90)`,
      "text-anchor": "middle",
      class: "axis-label",
    }, axes);
    yLabel.textContent = this.options.yLabel ?? "";
  }

  #visible(y) {
    return Number.isFinite(y) && (!this.options.yLog || y > 0);
  }

  #drawSeries(plot, series) {
    const limit = 20 * this.options.height;
    const clamp = (v) => Math.max(-limit, Math.min(limit, v));
    let d = "";
    for (const segment of series.segments) {
      let pen = "M";
      for (const [x, y] of segment) {
        if (!this.#visible(y)) {
          pen = "M";
          continue;
        }
        d += `${pen}${px(this.xToPx(x))},${px(clamp(this.yToPx(y)))}`;
        pen = "L";
      }
    }
    const path = node("path", { d, class: "series", stroke: series.color, "data-series": series.id }, plot);
    if (series.dash) path.setAttribute("stroke-dasharray", series.dash);
    if (series.width) path.setAttribute("stroke-width", series.width);
    if (!series.markers) return;
    for (const segment of series.segments) {
      segment.forEach(([x, y], index) => {
        if (!this.#visible(y)) return;
        node("circle", {
          cx: px(this.xToPx(x)),
          cy: px(clamp(this.yToPx(y))),
          r: 3,
          fill: series.color,
          class: "marker",
          "data-series": series.id,
          "data-index": index,
        }, plot);
      });
    }
  }

  #drawDot(plot, dot) {
    if (!this.#visible(dot.y)) return;
    node("circle", {
      cx: px(this.xToPx(dot.x)),
      cy: px(this.yToPx(dot.y)),
      r: 4,
      stroke: dot.color,
      fill: dot.open ? "var(--surface)" : dot.color,
      class: dot.open ? "dot open" : "dot",
      "data-series": dot.series ?? "",
    }, plot);
  }

  #drawPoint(plot, point) {
    if (!this.#visible(point.y)) return;
    const group = node("g", { class: "point", "data-point": point.id ?? "" }, plot);
    const [cx, cy] = [this.xToPx(point.x), this.yToPx(point.y)];
    node("circle", { cx: px(cx), cy: px(cy), r: 6, fill: point.color, stroke: "var(--ink)" }, group);
    if (point.label) {
      const label = node("text", { x: px(cx + 9), y: px(cy - 8), class: "point-label" }, group);
      label.textContent = point.label;
    }
  }

  #drawMark(plot, mark) {
    const at = px(this.xToPx(mark.x));
    node("line", { x1: at, x2: at, y1: this.box.top, y2: this.box.bottom, class: "mark" }, plot);
    if (mark.label) {
      const text = node("text", { x: Number(at) + 3, y: this.box.top + 12, class: "mark-label" }, plot);
      text.textContent = mark.label;
    }
  }

  #drawCursor() {
    const layer = this.cursorLayer;
    if (!layer || !this.box) return;
    layer.replaceChildren();
    const cursor = this.cursor;
    if (!cursor || !(cursor.x >= this.xDomain[0] && cursor.x <= this.xDomain[1])) return;
    const at = px(this.xToPx(cursor.x));
    node("line", { x1: at, x2: at, y1: this.box.top, y2: this.box.bottom }, layer);
    for (const { y, color } of cursor.values ?? []) {
      if (!this.#visible(y) || y < this.yDomain[0] || y > this.yDomain[1]) continue;
      node("circle", { cx: at, cy: px(this.yToPx(y)), r: 4, fill: color }, layer);
    }
  }

  #drawLegend() {
    this.legend.replaceChildren();
    const items = [
      ...this.data.series.filter((s) => s.label).map((s) => ({ ...s, kind: "line" })),
      ...(this.data.legend ?? []),
    ];
    for (const item of items) {
      const li = document.createElement("li");
      const swatch = document.createElementNS(SVG, "svg");
      swatch.setAttribute("width", "26");
      swatch.setAttribute("height", "12");
      swatch.setAttribute("aria-hidden", "true");
      if (item.kind === "dot") {
        node("circle", {
          cx: 13,
          cy: 6,
          r: 4,
          stroke: item.color,
          fill: item.open ? "var(--surface)" : item.color,
          "stroke-width": 1.5,
        }, swatch);
      } else {
        const line = node("line", { x1: 1, x2: 25, y1: 6, y2: 6, stroke: item.color, "stroke-width": 2.5 }, swatch);
        if (item.dash) line.setAttribute("stroke-dasharray", item.dash);
      }
      li.append(swatch, document.createTextNode(item.label));
      this.legend.append(li);
    }
  }

  #listen() {
    const host = this.host;
    const interactive = this.options.interactive;
    const plotX = (event) => {
      const rect = this.svg.getBoundingClientRect();
      return event.clientX - rect.left;
    };
    const plotY = (event) => event.clientY - this.svg.getBoundingClientRect().top;
    const inside = (x) => this.box && x >= this.box.left && x <= this.box.right;
    let drag = null;
    if (interactive) {
      host.tabIndex = 0;
      host.setAttribute("role", "group");
      host.addEventListener("wheel", (event) => {
        if (!this.box || !inside(plotX(event))) return;
        event.preventDefault();
        this.#zoomAround(this.pxToX(plotX(event)), event.deltaY > 0 ? ZOOM : 1 / ZOOM);
      }, { passive: false });
      host.addEventListener("keydown", (event) => this.#key(event));
    }
    host.addEventListener("pointerdown", (event) => {
      if (!this.box || event.button !== 0 || !inside(plotX(event))) return;
      drag = { start: plotX(event), startY: plotY(event), domain: [...this.xDomain], moved: false };
      host.setPointerCapture(event.pointerId);
    });
    host.addEventListener("pointermove", (event) => {
      if (!this.box) return;
      const x = plotX(event);
      if (drag && interactive) {
        const shift = x - drag.start;
        if (Math.abs(shift) > 3) drag.moved = true;
        if (drag.moved) {
          const [lo, hi] = drag.domain;
          const dx = (-shift / (this.box.right - this.box.left)) * (hi - lo);
          this.options.onView?.([lo + dx, hi + dx]);
        }
      } else if (!drag && inside(x)) {
        this.options.onCursor?.(this.pxToX(x));
      }
    });
    const end = (event) => {
      if (drag && !drag.moved && event.type === "pointerup") {
        this.options.onClick?.(this.pxToX(drag.start), this.pxToY(drag.startY));
      }
      drag = null;
    };
    host.addEventListener("pointerup", end);
    host.addEventListener("pointercancel", end);
  }

  #zoomAround(x, factor) {
    const [lo, hi] = this.xDomain;
    this.options.onView?.([x - (x - lo) * factor, x + (hi - x) * factor]);
  }

  #key(event) {
    if (!this.box) return;
    const [lo, hi] = this.xDomain;
    const span = hi - lo;
    const at = this.cursor?.x ?? (lo + hi) / 2;
    const handled = {
      ArrowLeft: () => (event.shiftKey ? this.options.onView?.([lo - span / 10, hi - span / 10])
        : this.options.onCursor?.(Math.max(lo, at - span / 100))),
      ArrowRight: () => (event.shiftKey ? this.options.onView?.([lo + span / 10, hi + span / 10])
        : this.options.onCursor?.(Math.min(hi, at + span / 100))),
      "+": () => this.#zoomAround(at, 1 / ZOOM),
      "=": () => this.#zoomAround(at, 1 / ZOOM),
      "-": () => this.#zoomAround(at, ZOOM),
      0: () => this.options.onReset?.(),
      Home: () => this.options.onReset?.(),
    }[event.key];
    if (handled) {
      event.preventDefault();
      handled();
    }
  }
}
