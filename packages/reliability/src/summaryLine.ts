/** One counted result of a suite. */
export type SummaryRecord =
  | { kind: 'fuzz'; target: string; op: string; cases: number; mismatches: number; skipped?: number }
  | { kind: 'geometry'; target: string; cases: number; failures: number }
  | { kind: 'badinput'; target: string; calls: number; failures: number }
  | { kind: 'ieee'; target: string; checks: number; failures: number }
  | { kind: 'leak'; target: string; steps: number; flat: boolean; detail: string; known?: string }
  | { kind: 'fault'; name: string; target: string; passed: boolean; skipped?: string; known?: string }
  | { kind: 'skip'; target: string; reason: string; suite: string };


type R<K extends SummaryRecord['kind']> = Extract<SummaryRecord, { kind: K }>;

function byTarget<T extends { target: string }>(rs: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rs) m.set(r.target, [...(m.get(r.target) ?? []), r]);
  return m;
}

/** The one summary line from every record of the run. */
export function summarize(recs: SummaryRecord[]): string {
  const of = <K extends SummaryRecord['kind']>(k: K) => recs.filter((r) => r.kind === k) as R<K>[];
  const parts: string[] = [];
  const skips = of('skip');
  const short = (r: string) => (r.length > 90 ? `${r.slice(0, 87)}...` : r);
  const skipNote = (suite: string) => {
    const seen = new Map<string, string>();
    for (const r of skips.filter((x) => x.suite === suite)) if (!seen.has(r.target)) seen.set(r.target, short(r.reason));
    return seen.size ? ` (not run or noted: ${[...seen].map(([t, r]) => `${t}: ${r}`).join('; ')})` : '';
  };

  const fuzz = [...byTarget(of('fuzz'))].map(([t, rs]) => {
    const cases = rs.reduce((n, r) => n + r.cases, 0);
    const mism = rs.reduce((n, r) => n + r.mismatches, 0);
    return `${t} ${cases} cases ${mism} mismatches`;
  });
  parts.push(`fuzz ${fuzz.join(', ') || 'none'}${skipNote('fuzz')}`);

  const geo = [...byTarget(of('geometry'))].map(
    ([t, rs]) => `${t} ${rs.reduce((n, r) => n + r.cases, 0)} cases ${rs.reduce((n, r) => n + r.failures, 0)} failed`,
  );
  if (geo.length) parts.push(`accept/reject ${geo.join(', ')}`);

  const bad = [...byTarget(of('badinput'))].map(([t, rs]) => {
    const calls = rs.reduce((n, r) => n + r.calls, 0);
    const f = rs.reduce((n, r) => n + r.failures, 0);
    return `${t} ${calls - f}/${calls}`;
  });
  parts.push(`bad input typed+unchanged ${bad.join(', ') || 'none'}${skipNote('badinput')}`);

  const ieee = [...byTarget(of('ieee'))].map(([t, rs]) => {
    const c = rs.reduce((n, r) => n + r.checks, 0);
    const f = rs.reduce((n, r) => n + r.failures, 0);
    return `${t} ${c - f}/${c}`;
  });
  parts.push(`NaN/Inf ${ieee.join(', ') || 'none'}${skipNote('ieee')}`);

  const leaks = of('leak').map(
    (r) =>
      `${r.target} ${r.steps} steps ${r.flat ? 'flat' : `NOT FLAT (${r.detail})`}${r.known ? ` ${r.known.startsWith('KNOWN') ? 'except' : 'note:'} ${short(r.known)}` : ''}`,
  );
  parts.push(`leak ${leaks.join(', ') || 'none'}${skipNote('leak')}`);

  const faults = of('fault');
  const ran = faults.filter((f) => !f.skipped);
  const passed = ran.filter((f) => f.passed).length;
  const skipped = faults.filter((f) => f.skipped).map((f) => `${f.name} on ${f.target}: ${short(f.skipped!)}`);
  const known = faults.filter((f) => f.known).map((f) => `${f.name} on ${f.target}: ${short(f.known!)}`);
  parts.push(
    `faults ${passed}/${ran.length}${known.length ? ` [${known.join('; ')}]` : ''}${skipped.length ? ` (skipped: ${skipped.join('; ')})` : ''}`,
  );

  return `reliability: ${parts.join('; ')}`;
}
