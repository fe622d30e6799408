// Inline SVG plots built from JSON (DOM nodes only, presentation attributes only: the CSP forbids inline styles).
import { fmt } from './api.js';

const NS = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

export const palette = ['#1f5fd1', '#d1441f', '#2a9d3a', '#8a3fc1', '#c18a1f', '#1fa3b8'];

function ticks(lo, hi, n = 5) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n, p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map(m => m * p).find(s => s >= raw) || raw;
  const out = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

function frame(width, height, m, x0, x1, y0, y1, xLabel, yLabel, xFmt = v => fmt(v, 3)) {
  const W = width - m.l - m.r, H = height - m.t - m.b;
  const X = v => m.l + (x1 > x0 ? (v - x0) / (x1 - x0) : 0.5) * W;
  const Y = v => m.t + H - (y1 > y0 ? (v - y0) / (y1 - y0) : 0.5) * H;
  const g = svg('g', {});
  g.append(svg('rect', { x: m.l, y: m.t, width: W, height: H, fill: '#fff', stroke: '#c8cdd8' }));
  for (const t of ticks(x0, x1)) {
    g.append(svg('line', { x1: X(t), x2: X(t), y1: m.t + H, y2: m.t + H + 4, stroke: '#667' }));
    g.append(svg('text', { x: X(t), y: m.t + H + 16, 'text-anchor': 'middle', 'font-size': 11, fill: '#445' }, xFmt(t)));
  }
  for (const t of ticks(y0, y1)) {
    g.append(svg('line', { x1: m.l, x2: m.l + W, y1: Y(t), y2: Y(t), stroke: '#eef0f4' }));
    g.append(svg('text', { x: m.l - 6, y: Y(t) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#445' }, fmt(t, 3)));
  }
  g.append(svg('text', { x: m.l + W / 2, y: height - 4, 'text-anchor': 'middle', 'font-size': 12, fill: '#223' }, xLabel));
  g.append(svg('text', { x: 12, y: m.t + H / 2, 'text-anchor': 'middle', 'font-size': 12, fill: '#223', transform: `rotate(-90 12 ${m.t + H / 2})` }, yLabel));
  return { g, X, Y, W, H };
}

// Histogram: edges (n + 1), counts (n).
export function histogram(edges, counts, { width = 560, height = 260, xLabel = '', yLabel = 'drives', xFmt } = {}) {
  const m = { l: 56, r: 12, t: 10, b: 40 };
  const maxC = Math.max(1, ...counts);
  const f = frame(width, height, m, edges[0], edges[edges.length - 1], 0, maxC, xLabel, yLabel, xFmt);
  counts.forEach((c, i) => {
    if (!c) return;
    const x = f.X(edges[i]), w = Math.max(1, f.X(edges[i + 1]) - x - 1);
    f.g.append(svg('rect', { x, y: f.Y(c), width: w, height: f.Y(0) - f.Y(c), fill: '#5b84d6' }, svg('title', {}, `${fmt(edges[i], 3)} … ${fmt(edges[i + 1], 3)}: ${c}`)));
  });
  return svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'plot' }, f.g);
}

// Line plot: series [{label, x[], y[], colour}], horizontal lines [{label, y, colour}].
export function linePlot(series, hlines, { width = 760, height = 320, xLabel = '', yLabel = '' } = {}) {
  const m = { l: 64, r: 12, t: 10, b: 40 };
  const xs = series.flatMap(s => [s.x[0], s.x[s.x.length - 1]]);
  const ys = series.flatMap(s => s.y).concat(hlines.map(h => h.y));
  const f = frame(width, height, m, Math.min(...xs), Math.max(...xs), 0, Math.max(...ys) * 1.05 || 1, xLabel, yLabel);
  for (const h of hlines) {
    f.g.append(svg('line', { x1: m.l, x2: m.l + f.W, y1: f.Y(h.y), y2: f.Y(h.y), stroke: h.colour, 'stroke-dasharray': '6 4' }));
    f.g.append(svg('text', { x: m.l + f.W - 4, y: f.Y(h.y) - 4, 'text-anchor': 'end', 'font-size': 11, fill: h.colour }, h.label));
  }
  series.forEach((s, k) => {
    const d = s.x.map((x, i) => `${i ? 'L' : 'M'}${f.X(x).toFixed(1)},${f.Y(s.y[i]).toFixed(1)}`).join('');
    f.g.append(svg('path', { d, fill: 'none', stroke: s.colour, 'stroke-width': 1.6 }));
    f.g.append(svg('text', { x: m.l + 8, y: m.t + 16 + 15 * k, 'font-size': 12, fill: s.colour }, s.label));
  });
  return svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'plot' }, f.g);
}
