/**
 * Loss and accuracy curves as a self-contained HTML page with inline SVG (no scripts, no assets:
 * it opens offline and the SVG renders wherever SVG does). The axes are d3-scale linear scales,
 * niced, with d3's ticks (1, 2 or 5 x 10^k steps) and tick formats; only the drawing is here.
 */
import { scaleLinear } from 'd3-scale';


export interface CurveData {
  title: string;
  /** one loss per training step */
  losses: readonly number[];
  /** [epoch, test accuracy in 0..1] */
  accuracy: readonly (readonly [number, number])[];
  /** extra lines printed under the title */
  notes?: readonly string[];
  /** steps per epoch, to draw epoch ticks on the loss plot */
  stepsPerEpoch?: number;
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
/** about this many ticks per axis (d3 picks the nice step nearest to span / TICKS) */
const TICKS = 5;

/** Moving average with a trailing window. */
export function smooth(v: readonly number[], window: number): number[] {
  const out: number[] = [];
  let s = 0;
  for (let i = 0; i < v.length; i++) {
    s += v[i]!;
    if (i >= window) s -= v[i - window]!;
    out.push(s / Math.min(i + 1, window));
  }
  return out;
}

interface Series {
  points: readonly (readonly [number, number])[];
  color: string;
  width: number;
  label: string;
  dots?: boolean;
}

/**
 * One SVG line plot with axes, ticks and a legend. The axis domains are the data's range (or
 * yMin/yMax) extended to nice round bounds; `xTicks` replaces the x ticks (the evaluated epochs).
 */
export function svgPlot(o: { title: string; xLabel: string; yLabel: string; series: Series[]; yMin?: number; yMax?: number; xTicks?: number[]; width?: number; height?: number }): string {
  const W = o.width ?? 560;
  const H = o.height ?? 320;
  const m = { l: 56, r: 16, t: 30, b: 44 };
  const all = o.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]).filter(Number.isFinite);
  const x0 = Math.min(...xs, 0);
  const x1 = Math.max(...xs, 1);
  let y0 = o.yMin ?? Math.min(...ys);
  let y1 = o.yMax ?? Math.max(...ys);
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y0 + 1];
  const X = scaleLinear()
    .domain([x0, x1 > x0 ? x1 : x0 + 1])
    .nice(TICKS)
    .range([m.l, W - m.r]);
  const Y = scaleLinear()
    .domain([y0, y1])
    .nice(TICKS)
    .range([H - m.b, m.t]);
  const yFmt = Y.tickFormat(TICKS);
  const xFmt = X.tickFormat(TICKS);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${esc(o.title)}</text>`);
  for (const y of Y.ticks(TICKS)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(y).toFixed(1)}" y2="${Y(y).toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text class="tick-y" x="${m.l - 6}" y="${(Y(y) + 4).toFixed(1)}" text-anchor="end">${yFmt(y)}</text>`);
  }
  const xt = o.xTicks ?? X.ticks(TICKS);
  for (const x of xt) {
    parts.push(`<line x1="${X(x).toFixed(1)}" x2="${X(x).toFixed(1)}" y1="${m.t}" y2="${H - m.b}" stroke="#eee"/>`);
    parts.push(`<text class="tick-x" x="${X(x).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle">${o.xTicks ? String(x) : xFmt(x)}</text>`);
  }
  parts.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="black"/>`);
  parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="black"/>`);
  parts.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  o.series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p[1]));
    if (pts.length) {
      const d = pts.map((p, j) => `${j ? 'L' : 'M'}${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join('');
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.width}"/>`);
      if (s.dots) for (const p of pts) parts.push(`<circle cx="${X(p[0]).toFixed(1)}" cy="${Y(p[1]).toFixed(1)}" r="3" fill="${s.color}"/>`);
    }
    const lx = W - m.r - 150;
    const ly = m.t + 12 + i * 14;
    parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"/>`);
    parts.push(`<text x="${lx + 24}" y="${ly}">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export function renderCurveHtml(d: CurveData): string {
  const n = d.losses.length;
  const w = Math.max(1, Math.min(50, Math.round(n / 40)));
  const lossPlot = svgPlot({
    title: 'training loss (softmax cross-entropy)',
    xLabel: 'step',
    yLabel: 'loss',
    yMin: 0,
    series: [
      { points: d.losses.map((l, i) => [i + 1, l] as const), color: '#9ecae1', width: 1, label: 'per step' },
      { points: smooth(d.losses, w).map((l, i) => [i + 1, l] as const), color: '#08519c', width: 2, label: `moving average (${w})` },
    ],
  });
  const accs = d.accuracy.map(([e, a]) => [e, a * 100] as const);
  const lo = accs.length ? Math.max(0, Math.floor(Math.min(...accs.map((a) => a[1])) - 1)) : 0;
  const accPlot = svgPlot({
    title: 'test accuracy',
    xLabel: 'epoch',
    yLabel: 'accuracy (%)',
    yMin: lo,
    yMax: 100,
    xTicks: accs.map((a) => a[0]),
    series: [{ points: accs, color: '#d94801', width: 2, label: 'test accuracy', dots: true }],
  });
  const notes = (d.notes ?? []).map((s) => `<li>${esc(s)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(d.title)}</title>
<style>body{font-family:sans-serif;margin:24px;color:#222}.plots{display:flex;flex-wrap:wrap;gap:16px}</style></head>
<body><h1>${esc(d.title)}</h1><ul>${notes}</ul>
<div class="plots">${lossPlot}${accPlot}</div>
</body></html>
`;
}
