import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allDrafts, type Draft } from './cases.js';
import { GOLDEN_FORMAT, GOLDEN_VERSION, type ArrayRef, type ExpectedHints, type GoldenCase, type GoldenManifest } from '@convkit/conformance/format';
import { BinWriter } from './writer.js';
import { crossCheck, crossCheckPoolBackward, initTf } from './tfcheck.js';

export const TF_NAME = 'tfjs-core+tfjs-backend-cpu 4.22.0';

export interface GenerateResult {
  manifest: GoldenManifest;
  files: Map<string, Uint8Array>;
  checked: number;
  unchecked: { id: string; reason: string }[];
}

/** Builds the whole set in memory, cross-checking every case; throws (writes nothing) on disagreement. */
export async function buildGolden(opts: { crossCheck?: boolean; log?: (s: string) => void } = {}): Promise<GenerateResult> {
  const log = opts.log ?? (() => {});
  const drafts = allDrafts();
  const ids = new Set<string>();
  for (const d of drafts) {
    if (ids.has(d.id)) throw new Error(`duplicate case id ${d.id}`);
    ids.add(d.id);
  }
  // Test hook: CONVKIT_GOLDEN_TAMPER=<case id> corrupts one expected value (by 1e-3) before the
  // cross-check, to prove the generator refuses to write when the reference and tfjs disagree.
  const tamper = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.CONVKIT_GOLDEN_TAMPER;
  if (tamper) {
    const d = drafts.find((x) => x.id === tamper);
    if (!d) throw new Error(`CONVKIT_GOLDEN_TAMPER: no case ${tamper}`);
    const e = Object.values(d.expected)[0]!;
    if ('data' in e) e.data[0] = e.data[0]! + 1e-3;
  }
  const failures: string[] = [];
  const unchecked: { id: string; reason: string }[] = [];
  const crossed = new Map<string, string | null>();
  let checked = 0;
  if (opts.crossCheck !== false) {
    await initTf();
    for (const d of drafts) {
      const r = await crossCheck(d);
      let ok = r.checked;
      let reason = r.reason;
      const fails = [...r.failures];
      if (d.op === 'maxpool2dBackward' && d.check && !d.tags.includes('ties') && !d.tags.includes('nan')) {
        fails.push(...(await crossCheckPoolBackward(d.check.x, d.inputs.dy!, d.params as never, d.expected.dx!)));
        ok = true;
        reason = undefined;
      }
      for (const f of fails) failures.push(`${d.id}: ${f}`);
      if (ok) {
        checked++;
        crossed.set(d.id, d.source === 'uwnet' ? 'uwnet' : TF_NAME);
      } else {
        unchecked.push({ id: d.id, reason: reason ?? 'unknown' });
        crossed.set(d.id, d.source === 'uwnet' ? 'uwnet' : null);
      }
    }
    if (failures.length) {
      throw new Error(`reference and tfjs disagree; refusing to write the golden set:\n  ${failures.join('\n  ')}`);
    }
    log(`cross-checked ${checked} of ${drafts.length} cases against ${TF_NAME}`);
  }
  const w = new BinWriter();
  const cases: GoldenCase[] = drafts.map((d: Draft) => {
    const file = `${d.op}.bin`;
    const inputs: Record<string, ArrayRef> = {};
    for (const [k, a] of Object.entries(d.inputs)) inputs[k] = w.place(file, a);
    const expected: Record<string, ArrayRef & ExpectedHints> = {};
    for (const [k, e] of Object.entries(d.expected)) {
      const ref = w.place(file, e);
      expected[k] = { ...ref, reduction: e.reduction, ...(e.scale !== undefined ? { scale: e.scale } : {}), ...(e.exact ? { exact: true } : {}) };
    }
    const cc = crossed.get(d.id);
    const c: GoldenCase = {
      id: d.id,
      op: d.op,
      title: d.title,
      params: d.params,
      inputs,
      expected,
      source: d.source,
      crossCheck: d.source === 'uwnet' ? 'uwnet course reference solution' : cc === undefined ? null : cc,
      tags: d.tags,
    };
    const why = unchecked.find((u) => u.id === d.id);
    const notes = [d.notes, why && d.source !== 'uwnet' ? `not cross-checked: ${why.reason}` : undefined].filter(Boolean).join('; ');
    if (notes) c.notes = notes;
    return c;
  });
  const files = w.files();
  const manifest: GoldenManifest = {
    format: GOLDEN_FORMAT,
    version: GOLDEN_VERSION,
    generator: '@convkit/golden-tools',
    reference: '@convkit/reference (float64 nested loops)',
    files: [...files.entries()].map(([name, bytes]) => ({ name, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') })),
    cases,
  };
  return { manifest, files, checked, unchecked };
}

export function manifestBytes(m: GoldenManifest): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(m, null, 1) + '\n');
}

/** Writes manifest.json and the .bin files into dir. */
export function writeGolden(dir: string, r: GenerateResult): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of r.files) writeFileSync(join(dir, name), bytes);
  writeFileSync(join(dir, 'manifest.json'), manifestBytes(r.manifest));
}
