// The cost-versus-volume chart: total cost per unit = unit cost + tooling / volume, log-log.
// Readable without colour: each line has its own dash pattern and a label at its end; the same
// figures are in the description and in a table.

import { h, svg, uniqueId } from "./dom.js";
import { niceVolume, numberFormat, sek, units } from "./format.js";
import { t } from "./i18n.js";

const SERIES_STYLES = [
  { color: "#0059a3", dash: "" },
  { color: "#b34700", dash: "8 4" },
  { color: "#00795a", dash: "2 3" },
  { color: "#a1407a", dash: "10 3 2 3" },
  { color: "#6b5a00", dash: "5 2" },
  { color: "#444444", dash: "1 4" },
];
const SAMPLES = 48;

function chartModel(options, profile) {
  const volume = profile.annual_volume > 0 ? profile.annual_volume : 100;
  const low = niceVolume(Math.max(1, volume / 10));
  const high = niceVolume(volume * 10);
  const cost = (option, v) => (option.unit_cost_sek || 0) + (option.tooling_sek || 0) / v;
  const volumes = Array.from({ length: SAMPLES }, (_, i) => low * (high / low) ** (i / (SAMPLES - 1)));
  const series = options.map((option, index) => ({
    option,
    name: option.label || option.process,
    style: SERIES_STYLES[index % SERIES_STYLES.length],
    points: volumes.map((v) => [v, cost(option, v)]),
  }));
  const costs = series.flatMap((s) => s.points.map((p) => p[1])).filter((c) => c > 0);
  const target = profile.target_unit_cost_sek > 0 ? profile.target_unit_cost_sek : null;
  if (target) costs.push(target);
  return {
    volume,
    low,
    high,
    target,
    series,
    cost,
    minCost: Math.max(0.01, Math.min(...costs) / 1.3),
    maxCost: Math.max(...costs) * 1.3,
  };
}

export function costChart(options, profile, lang) {
  const model = chartModel(options, profile);
  const titleId = uniqueId("chart-title");
  const descId = uniqueId("chart-desc");
  const figure = h("figure", { class: "cost-chart" });
  const canvas = h("div", { class: "chart-canvas" });
  const summary = t(lang, "chartSummary", {
    volume: units(lang, model.volume),
    costs: model.series
      .map((s) => `${s.name} ${sek(lang, model.cost(s.option, model.volume))}`)
      .join(", "),
  });
  const draw = () => {
    const width = Math.max(260, Math.round(canvas.clientWidth || 320));
    canvas.replaceChildren(chartSvg(model, lang, width, { titleId, descId, summary }));
  };
  figure.append(
    canvas,
    h("figcaption", {}, h("span", { text: t(lang, "chartNote") })),
    chartTable(model, lang),
  );
  draw();
  // redraw at the real width once on the page, and when the width changes (rotation, resize)
  let lastWidth = 0;
  const observer = new ResizeObserver(() => {
    if (!canvas.isConnected) {
      observer.disconnect(); // the log was redrawn (history after a reconnect)
      return;
    }
    const width = Math.round(canvas.clientWidth);
    if (width && width !== lastWidth) {
      lastWidth = width;
      draw();
    }
  });
  observer.observe(canvas);
  return figure;
}

function chartSvg(model, lang, width, { titleId, descId, summary }) {
  const narrow = width < 420;
  const fontSize = narrow ? 11 : 12;
  const measure = textMeasurer(`600 ${fontSize}px ${getComputedStyle(document.body).fontFamily}`);
  const keyWidth = 22; // the dash sample in front of each label
  const labelRoom = width * (narrow ? 0.42 : 0.34) - keyWidth;
  const labels = model.series.map((s) => fitLabel(s.name, labelRoom, measure));
  const margin = {
    top: 22,
    right: Math.max(...labels.map(measure)) + keyWidth + 4,
    bottom: 40,
    left: narrow ? 44 : 52,
  };
  const height = Math.round(Math.min(340, Math.max(220, width * 0.62)));
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const lx = Math.log10;
  const x = (v) => margin.left + ((lx(v) - lx(model.low)) / (lx(model.high) - lx(model.low))) * plotW;
  const y = (c) =>
    margin.top + plotH - ((lx(c) - lx(model.minCost)) / (lx(model.maxCost) - lx(model.minCost))) * plotH;
  const format = numberFormat(lang);

  const root = svg(
    "svg",
    {
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: "img",
      "aria-labelledby": titleId,
      "aria-describedby": descId,
      class: narrow ? "chart-svg narrow" : "chart-svg",
    },
    svg("title", { id: titleId }),
    svg("desc", { id: descId }),
  );
  root.querySelector("title").textContent = t(lang, "chartTitle");
  root.querySelector("desc").textContent = summary;

  const grid = svg("g", { class: "chart-grid" });
  for (const v of logTicks(model.low, model.high)) {
    grid.append(svg("line", { x1: x(v), x2: x(v), y1: margin.top, y2: margin.top + plotH }));
    grid.append(textAt(format.format(v), x(v), margin.top + plotH + 15, "middle", "tick"));
  }
  for (const c of logTicks(model.minCost, model.maxCost)) {
    grid.append(svg("line", { x1: margin.left, x2: margin.left + plotW, y1: y(c), y2: y(c) }));
    grid.append(textAt(format.format(c), margin.left - 6, y(c) + 4, "end", "tick"));
  }
  root.append(grid);
  root.append(
    svg("rect", { x: margin.left, y: margin.top, width: plotW, height: plotH, class: "chart-frame" }),
    textAt(t(lang, "axisVolume"), margin.left + plotW / 2, height - 6, "middle", "axis-title"),
    textAt(t(lang, "axisCost"), 2, 13, "start", "axis-title"),
  );

  if (model.target) {
    root.append(
      svg("line", {
        x1: margin.left,
        x2: margin.left + plotW,
        y1: y(model.target),
        y2: y(model.target),
        class: "chart-target",
      }),
      textAt(`${t(lang, "target")} ${sek(lang, model.target)}`, margin.left + 4, y(model.target) - 4, "start", "marker-label"),
    );
  }
  const vx = x(model.volume);
  root.append(
    svg("line", { x1: vx, x2: vx, y1: margin.top, y2: margin.top + plotH, class: "chart-volume" }),
    textAt(t(lang, "yourVolume"), vx, margin.top - 6, "middle", "marker-label"),
  );

  const ends = [];
  model.series.forEach((s, index) => {
    const d = s.points.map(([v, c], i) => `${i ? "L" : "M"}${x(v).toFixed(1)},${y(c).toFixed(1)}`).join("");
    const attrs = { d, class: "chart-line", stroke: s.style.color };
    if (s.style.dash) attrs["stroke-dasharray"] = s.style.dash;
    root.append(svg("path", attrs));
    const [, lastCost] = s.points[s.points.length - 1];
    ends.push({ index, y: y(lastCost) });
  });
  spreadLabels(ends, 15, margin.top + 4, margin.top + plotH);
  for (const end of ends) {
    const s = model.series[end.index];
    const lineEnd = margin.left + plotW;
    const attrs = { x1: lineEnd + 3, x2: lineEnd + 19, y1: end.y - 4, y2: end.y - 4, stroke: s.style.color, class: "chart-key" };
    if (s.style.dash) attrs["stroke-dasharray"] = s.style.dash;
    const label = textAt(labels[end.index], lineEnd + 22, end.y, "start", "series-label");
    label.setAttribute("fill", s.style.color);
    root.append(svg("line", attrs), label);
  }
  return root;
}

function textAt(text, x, y, anchor, className) {
  const el = svg("text", { x: x.toFixed(1), y: y.toFixed(1), "text-anchor": anchor, class: className });
  el.textContent = text;
  return el;
}

/** The label without its parenthesis, cut with "…" to fit `room` pixels. */
function fitLabel(name, room, measure) {
  let label = name.split(" (")[0];
  if (measure(label) <= room) return label;
  while (label.length > 4 && measure(`${label}…`) > room) label = label.slice(0, -1);
  return `${label.trimEnd()}…`;
}

/** Text width in pixels for a CSS font, measured on a canvas that is never shown. */
function textMeasurer(font) {
  const context = document.createElement("canvas").getContext("2d");
  if (!context) return (text) => text.length * 7;
  context.font = font;
  return (text) => Math.ceil(context.measureText(text).width);
}

/** 1-2-5 steps inside [lo, hi], thinned to at most six ticks. */
function logTicks(lo, hi) {
  const ticks = [];
  for (let decade = Math.floor(Math.log10(lo)); decade <= Math.ceil(Math.log10(hi)); decade += 1) {
    for (const step of [1, 2, 5]) {
      const value = step * 10 ** decade;
      if (value >= lo && value <= hi) ticks.push(value);
    }
  }
  if (ticks.length <= 6) return ticks;
  const decades = ticks.filter((v) => Math.abs(Math.log10(v) % 1) < 1e-9);
  return decades.length >= 2 ? decades : ticks.filter((_, i) => i % 2 === 0);
}

/** Labels at least `gap` apart vertically, inside [top, bottom]. */
function spreadLabels(ends, gap, top, bottom) {
  ends.sort((a, b) => a.y - b.y);
  for (let i = 0; i < ends.length; i += 1) {
    const floor = i ? ends[i - 1].y + gap : top;
    ends[i].y = Math.max(ends[i].y, floor);
  }
  for (let i = ends.length - 1; i >= 0; i -= 1) {
    const ceiling = i === ends.length - 1 ? bottom : ends[i + 1].y - gap;
    ends[i].y = Math.min(ends[i].y, ceiling);
  }
}

function chartTable(model, lang) {
  const volumes = [model.low, model.volume, model.high];
  const table = h(
    "table",
    { class: "chart-table" },
    h("caption", { text: t(lang, "chartTitle") }),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col", text: t(lang, "chartCorner") }),
        volumes.map((v) => h("th", { scope: "col", text: t(lang, "chartAtVolume", { volume: units(lang, v) }) })),
      ),
    ),
    h(
      "tbody",
      {},
      model.series.map((s) =>
        h(
          "tr",
          {},
          h("th", { scope: "row", text: s.name }),
          volumes.map((v) => h("td", { text: sek(lang, model.cost(s.option, v)) })),
        ),
      ),
    ),
  );
  return h("details", { class: "chart-data" }, h("summary", { text: t(lang, "chartTable") }), table);
}
