/** Terminal table, JSON and a self-contained HTML report (inline SVG bar chart per workload). */
import { scaleLinear } from 'd3-scale';
import type { RowResult } from './bench.js';
import type { Machine } from './machine.js';
import type { RepeatSummary, Spread } from './repeat.js';

export interface Report {
  tool: string;
  mode: 'full' | 'quick';
  /** present on a filtered run (--only / --impl): a subset, not the full comparison */
  filter?: { only?: string; impl?: string };
  machine: Machine;
  settings: { reps: number; warmup: number; warmupMs?: number; minTimeMs?: number; samples: number; repeat?: number; baseline?: string; rowBudget?: number };
  /** the best convkit CPU row over the baseline per workload (median and spread over the repeats) */
  summary?: RepeatSummary;
  /** implementations that were looked for but could not run here, with the reason */
  skipped: { impl: string; reason: string }[];
  notes: string[];
  rows: RowResult[];
}

const f = (x: number | undefined, d = 2) => (x === undefined || !Number.isFinite(x) ? '' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(d));
const ms = (x: number | undefined) => (x === undefined ? '' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** The short name of a software rasteriser in an adapter / renderer line. */
export function softwareName(adapter: string | undefined): string {
  const m = /swiftshader|lavapipe|llvmpipe|softpipe|swrast|warp/i.exec(adapter ?? '');
  const names: Record<string, string> = { swiftshader: 'SwiftShader', lavapipe: 'lavapipe', llvmpipe: 'llvmpipe', softpipe: 'softpipe', swrast: 'swrast', warp: 'WARP' };
  return m ? names[m[0].toLowerCase()]! : (adapter ?? 'unknown');
}

/** The engine column: the engine, and 'software adapter: X' on a software rasteriser. */
export function engineText(r: RowResult): string {
  return r.software ? `${r.engine} (software adapter: ${softwareName(r.adapter)})` : r.engine;
}

/** One note per software rasteriser naming the rows that ran on it (and the adapter lines they reported). */
export function softwareAdapterNotes(rows: RowResult[]): string[] {
  const by = new Map<string, { adapters: Set<string>; ids: Set<string> }>();
  for (const r of rows) {
    if (!r.software) continue;
    const k = softwareName(r.adapter);
    const e = by.get(k) ?? { adapters: new Set(), ids: new Set() };
    e.adapters.add(r.adapter ?? 'unknown');
    e.ids.add(r.impl);
    by.set(k, e);
  }
  return [...by].map(([k, e]) => `software adapter: ${k} (${[...e.adapters].join('; ')}): ${[...e.ids].join(', ')} ran on a CPU rasteriser, not a GPU`);
}

const sp = (s: Spread | undefined, fmt: (x: number) => string, suffix = '') =>
  s ? `${fmt(s.median)}${suffix} [${fmt(s.min)}-${fmt(s.max)}${s.n > 3 ? `, IQR ${fmt(s.q1)}-${fmt(s.q3)}` : ''}]` : '';

/** `--repeat N`: per row the median of the N medians with the spread, and the ratios; '' for one run. */
export function repeatTable(rep: Report): string {
  const n = rep.settings.repeat ?? 1;
  if (n < 2 || rep.mode === 'quick') return '';
  const base = rep.settings.baseline ?? '';
  const head = ['workload', 'implementation', 'timed', 'median of medians ms [min-max]', `rate [min-max]`, 'vs js', 'vs best peer', `vs ${base}`];
  const lines = rep.rows
    .filter((r) => r.repeat)
    .map((r) => [r.workload, r.impl, `${r.repeat!.timed}/${r.repeat!.n}`, sp(r.repeat!.medianMs, ms), sp(r.repeat!.rate, (x) => f(x), ` ${r.unit}`), sp(r.repeat!.vsJs, (x) => f(x), 'x'), sp(r.repeat!.vsBestPeer, (x) => f(x), 'x'), sp(r.repeat!.vsBaseline, (x) => f(x), 'x')]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (l: string[]) => l.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const order = rep.summary?.order;
  const out = [
    `${n} repeats, interleaved (round 1 runs every row once, then round 2, ...; the order changes per round): median over the repeats [min-max; IQR q1-q3 from 4 repeats up]; ratios taken within each round`,
    ...(order ? [`round order (seed ${order.seed}): ${order.rounds.map((r, i) => `${i + 1}: ${r.join(', ')}`).join('; ')}`] : []),
    '',
    fmt(head),
    widths.map((w) => '-'.repeat(w)).join('  '),
  ];
  let prev = '';
  for (const l of lines) {
    if (prev && l[0] !== prev) out.push('');
    prev = l[0]!;
    out.push(fmt(l));
  }
  const best = bestCpuLines(rep);
  if (best.length) out.push('', ...best);
  return out.join('\n');
}

/**
 * Per workload: best convkit CPU row / baseline, median [min-max] over the repeats, then the same
 * over tfjs:wasm-threads and onnxruntime:cpu where they are not the baseline (lines with a ratio only).
 */
export function bestCpuLines(rep: Report): string[] {
  if (!rep.summary || rep.mode === 'quick') return [];
  const peers = rep.summary.bestCpuVsPeers ?? [];
  return rep.summary.bestCpuVsBaseline.flatMap((b) => {
    const who = [...new Set(b.best)].map((id) => `${id} x${b.best.filter((x) => x === id).length}`).join(', ');
    const more = peers.filter((p) => p.workload === b.workload && p.ratio).map((p) => `${p.workload}: best convkit CPU row / ${p.baseline}: ${sp(p.ratio, (x) => f(x), 'x')}`);
    return [`${b.workload}: best convkit CPU row / ${b.baseline}: ${b.ratio ? sp(b.ratio, (x) => f(x), 'x') : `- (${b.reason})`}${who ? ` (fastest: ${who})` : ''}`, ...more];
  });
}

function statusText(r: RowResult, quick: boolean): string {
  switch (r.status) {
    case 'ok':
      return 'ok';
    case 'checked':
      return quick ? 'pass' : 'ok';
    case 'mismatch':
      return 'MISMATCH';
    case 'error':
      return 'ERROR';
    case 'unsupported':
      return 'n/a';
    case 'too-slow':
      return 'too slow';
  }
}

/** Plain-text table (one block per workload). */
export function table(rep: Report): string {
  const quick = rep.mode === 'quick';
  const head = quick
    ? ['workload', 'implementation', 'engine', 'check', 'checked', 'worst err/bound', 'first ms', 'note']
    : ['workload', 'implementation', 'engine', 'median', 'best', 'unit', 'vs js', 'vs best peer', `vs ${rep.settings.baseline ?? 'baseline'}`, 'first ms', 'median ms', 'check / note'];
  const lines: string[][] = [];
  for (const r of rep.rows) {
    const worst = r.check?.worst ? f(r.check.worst.err / r.check.worst.bound, 3) : '';
    const note = r.status === 'ok' || r.status === 'checked' ? (r.kind === 'train' ? (r.check?.note ?? '') : `${r.check?.checked ?? 0} pos ok`) : (r.reason ?? '');
    if (quick) lines.push([r.workload, r.impl, engineText(r), statusText(r, true), String(r.check?.checked ?? ''), worst, ms(r.firstMs), r.status === 'checked' ? '' : note]);
    else
      lines.push([
        r.workload,
        r.impl,
        engineText(r),
        r.status === 'ok' ? f(r.rate) : statusText(r, false),
        f(r.rateBest),
        r.status === 'ok' ? r.unit : '',
        r.vsJs !== undefined ? `${f(r.vsJs)}x` : '',
        r.vsBestPeer !== undefined ? `${f(r.vsBestPeer)}x` : '',
        r.vsBaseline !== undefined ? `${f(r.vsBaseline)}x` : '',
        ms(r.firstMs),
        ms(r.medianMs),
        note.length > 70 ? note.slice(0, 67) + '...' : note,
      ]);
  }
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const numeric = quick ? new Set([4, 5, 6]) : new Set([3, 4, 6, 7, 8, 9, 10]);
  const fmt = (l: string[]) => l.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [fmt(head), widths.map((w) => '-'.repeat(w)).join('  ')];
  let prev = '';
  for (const l of lines) {
    if (prev && l[0] !== prev) out.push('');
    prev = l[0]!;
    out.push(fmt(l));
  }
  return out.join('\n');
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node} (V8 ${m.v8}), ${m.platform}, load ${m.loadavg.join(' ')}${m.loadavgEnd ? ` (end ${m.loadavgEnd.join(' ')})` : ''}, ${m.date}${m.commit ? `, commit ${m.commit}` : ''}`;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const COLORS: Record<string, string> = { convkit: '#2563eb', peer: '#9ca3af' };

/**
 * The bars of one workload: median and best rate per timed row on a d3-scale linear axis from 0,
 * niced, with d3's ticks (1, 2 or 5 x 10^k steps) and tick format; untimed rows say why.
 */
export function chart(rows: RowResult[]): string {
  const timed = rows.filter((r) => r.status === 'ok');
  const untimed = rows.filter((r) => r.status !== 'ok');
  const all = [...timed.sort((a, b) => b.rate! - a.rate!), ...untimed];
  const rowH = 26;
  const labelW = 250;
  const barW = 520;
  const axisH = timed.length ? 34 : 0;
  const barsH = all.length * rowH + 4;
  const h = barsH + axisH + 26;
  const unit = rows[0]?.unit ?? '';
  const x = scaleLinear()
    .domain([0, Math.max(...timed.map((r) => r.rateBest ?? r.rate!), 0) || 1])
    .nice(6)
    .range([0, barW]);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 190}" height="${h}" role="img" aria-label="${esc(rows[0]?.title ?? '')}">`];
  if (timed.length) {
    const fmt = x.tickFormat(6);
    for (const t of x.ticks(6)) {
      const tx = (labelW + x(t)).toFixed(1);
      parts.push(`<line x1="${tx}" x2="${tx}" y1="4" y2="${barsH + 4}" stroke="${t === 0 ? '#6b7280' : '#e5e7eb'}"/>`);
      parts.push(`<text class="tick" x="${tx}" y="${barsH + 18}" text-anchor="middle" font-size="11" fill="#374151">${fmt(t)}</text>`);
    }
    parts.push(`<text x="${labelW + barW / 2}" y="${barsH + 32}" text-anchor="middle" font-size="11" fill="#374151">${esc(unit)}</text>`);
  }
  all.forEach((r, i) => {
    const y = i * rowH + 4;
    parts.push(`<text x="${labelW - 8}" y="${y + 16}" text-anchor="end" font-size="13">${esc(r.impl)}</text>`);
    if (r.status === 'ok') {
      const w = x(r.rate!);
      const wb = x(r.rateBest ?? r.rate!);
      parts.push(`<rect x="${labelW}" y="${y + 3}" width="${wb.toFixed(1)}" height="18" fill="${COLORS[r.group]}" opacity="0.3"><title>best ${f(r.rateBest)} ${unit}</title></rect>`);
      parts.push(`<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="18" fill="${COLORS[r.group]}"><title>median ${f(r.rate)} ${unit}</title></rect>`);
      const ratio = r.vsJs !== undefined && r.impl !== 'convkit:js' ? ` (${f(r.vsJs)}x js)` : '';
      parts.push(`<text x="${labelW + wb + 6}" y="${y + 16}" font-size="12">${f(r.rate)} ${unit}${ratio}</text>`);
    } else {
      const color = r.status === 'mismatch' || r.status === 'error' ? '#dc2626' : '#6b7280';
      const t = r.status === 'checked' ? 'correct (quick mode, not timed)' : `${r.status}: ${r.reason ?? ''}`;
      parts.push(`<text x="${labelW}" y="${y + 16}" font-size="12" fill="${color}">${esc(t.length > 95 ? t.slice(0, 92) + '...' : t)}</text>`);
    }
  });
  parts.push(`<text x="${labelW}" y="${h - 6}" font-size="11" fill="#6b7280">bar: median ${unit}; light bar: best of the timed runs; blue: convkit, grey: peers</text>`);
  parts.push('</svg>');
  return parts.join('');
}

export function html(rep: Report): string {
  const m = rep.machine;
  const byW = new Map<string, RowResult[]>();
  for (const r of rep.rows) byW.set(r.workload, [...(byW.get(r.workload) ?? []), r]);
  const sections = [...byW.values()].map((rs) => {
    const trs = rs
      .map((r) => {
        const st = r.status === 'ok' || r.status === 'checked' ? 'ok' : r.status;
        const cls = st === 'mismatch' || st === 'error' ? ' class="bad"' : '';
        return `<tr${cls}><td>${esc(r.impl)}</td><td>${esc(engineText(r))}${r.adapter ? `<br><small>adapter: ${esc(r.adapter)}</small>` : ''}</td><td>${esc(st)}</td><td class="n">${f(r.rate)}</td><td class="n">${f(r.rateBest)}</td><td class="n">${r.vsJs !== undefined ? f(r.vsJs) + 'x' : ''}</td><td class="n">${r.vsBestPeer !== undefined ? f(r.vsBestPeer) + 'x' : ''}</td><td class="n">${r.vsBaseline !== undefined ? f(r.vsBaseline) + 'x' : ''}</td><td class="n">${ms(r.firstMs)}</td><td class="n">${ms(r.medianMs)}</td><td class="n">${ms(r.minMs)}</td><td>${esc(r.status === 'ok' || r.status === 'checked' ? (r.check?.note ?? `${r.check?.checked} positions within tolerance`) : (r.reason ?? ''))}</td></tr>`;
      })
      .join('\n');
    const r0 = rs[0]!;
    const amount = r0.unit === 'GB/s' ? `${(r0.bytes / 1e6).toFixed(1)} MB moved per run` : `${(r0.flops / 1e9).toFixed(3)} GFLOP per run`;
    return `<section><h2>${esc(r0.title)} <small>(${esc(r0.workload)}, ${amount})</small></h2>
${chart(rs)}
<table><thead><tr><th>implementation</th><th>engine</th><th>check</th><th>median ${r0.unit}</th><th>best ${r0.unit}</th><th>vs js</th><th>vs best peer</th><th>vs ${esc(rep.settings.baseline ?? 'baseline')}</th><th>first call ms</th><th>median ms</th><th>min ms</th><th>check / note</th></tr></thead><tbody>
${trs}
</tbody></table></section>`;
  });
  const skipped = rep.skipped.length
    ? `<h2>Not run here</h2><ul>${rep.skipped.map((s) => `<li><b>${esc(s.impl)}</b>: ${esc(s.reason)}</li>`).join('')}</ul>`
    : '';
  const rt = repeatTable(rep);
  const repeats = rt ? `<h2>Repeats</h2><pre>${esc(rt)}</pre>` : '';
  const best = !rt && bestCpuLines(rep).length ? `<h2>Best convkit CPU row vs ${esc(rep.settings.baseline ?? '')}</h2><pre>${esc(bestCpuLines(rep).join('\n'))}</pre>` : '';
  const filtered = rep.filter
    ? `<p class="filtered"><b>Filtered run</b> (${[rep.filter.only ? `--only '${esc(rep.filter.only)}'` : '', rep.filter.impl ? `--impl '${esc(rep.filter.impl)}'` : ''].filter(Boolean).join(' ')}): a subset of the workloads / implementations, not the full comparison.</p>`
    : '';
  const notes = rep.notes.length ? `<h2>Notes</h2><ul>${rep.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>convkit benchmark (${rep.mode}${rep.filter ? ', filtered' : ''})</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif;margin:24px;color:#111827;max-width:1200px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 6px} small{color:#6b7280;font-weight:normal}
table{border-collapse:collapse;margin-top:6px;font-size:12.5px} th,td{border-bottom:1px solid #e5e7eb;padding:3px 8px;text-align:left;vertical-align:top}
.filtered{background:#fef3c7;padding:6px 10px;border-left:4px solid #d97706} pre{font-size:12px;background:#f9fafb;padding:8px;overflow-x:auto}
td.n{text-align:right;font-variant-numeric:tabular-nums} tr.bad td{color:#b91c1c} .machine{color:#374151}
</style></head><body>
<h1>convkit benchmark <small>${rep.mode} mode${rep.filter ? ', filtered run' : ''}${(rep.settings.repeat ?? 1) > 1 ? `, ${rep.settings.repeat} repeats` : ''}</small></h1>
${filtered}
<p class="machine"><b>Machine:</b> ${esc(machineLine(m))}<br>
<b>Method:</b> each result is first checked against float64 (sampled output positions of the big ones, computed directly from the definitions); a mismatch is reported instead of a number. ${rep.mode === 'full' ? `Then ${rep.settings.warmup} warm-up run(s)${rep.settings.warmupMs ? ` and more until ${rep.settings.warmupMs} ms of warm-up` : ''}, then ${rep.settings.reps} timed runs${rep.settings.minTimeMs ? ` or more, until ${rep.settings.minTimeMs} ms of them` : ''}, read-back included; median and minimum shown, first call (compilation, plan building) apart.` : 'Quick mode: tiny sizes, correctness only, no speed claims.'}</p>
${sections.join('\n')}
${repeats}
${best}
${skipped}
${notes}
</body></html>
`;
}
