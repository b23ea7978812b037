import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compare, findUwnetDir, refConv2d, refConv2dBackward, refMaxpool2d } from '@convkit/reference';
import { OPS, opRecord } from '@convkit/core';
import { GoldenStore, capabilitiesFor, goldenDir, listCases, nodeStore, type CaseData } from './index.js';

const dir = goldenDir();
const manifest = nodeStore().manifest;

describe('golden set: integrity and coverage (issue 3)', () => {
  it('files match the manifest sha256 and the set is compact', () => {
    let total = statSync(join(dir, 'manifest.json')).size;
    for (const f of manifest.files) {
      const bytes = readFileSync(join(dir, f.name));
      expect(bytes.length, f.name).toBe(f.bytes);
      expect(createHash('sha256').update(bytes).digest('hex'), f.name).toBe(f.sha256);
      total += bytes.length;
    }
    expect(total).toBeLessThan(3 * 1024 * 1024);
    expect(existsSync(join(dir, 'FORMAT.md'))).toBe(true);
  });

  it('ids are unique and every case decodes to arrays of its shapes', async () => {
    const store = nodeStore();
    expect(new Set(manifest.cases.map((c) => c.id)).size).toBe(manifest.cases.length);
    for (const c of manifest.cases.filter((c) => !GoldenStore.usesUwnet(c))) {
      const d = (await store.load(c)) as CaseData;
      for (const [k, ref] of Object.entries(c.inputs)) expect(d.inputs[k]!.length, `${c.id} ${k}`).toBe(ref.shape.reduce((a, b) => a * b, 1));
    }
  });

  it('covers what issue 3 asks for', () => {
    // every op of core's records, kernel and composite, has cases
    const ops = new Set(manifest.cases.map((c) => c.op));
    for (const op of Object.keys(OPS)) expect(ops.has(op), op).toBe(true);
    const conv = listCases({ op: 'conv2d' });
    const param = (k: string) => conv.map((c) => c.params[k]);
    const kernels = new Set(conv.map((c) => c.inputs.w!.shape.slice(2).join('x')));
    for (let k = 1; k <= 7; k++) expect(kernels.has(`${k}x${k}`), `kernel ${k}`).toBe(true);
    expect([...kernels].some((k) => k.split('x')[0] !== k.split('x')[1])).toBe(true);
    const strides = param('stride').map((s) => (Array.isArray(s) ? Math.max(...s) : (s ?? 1)));
    expect(new Set(strides)).toEqual(new Set([1, 2, 3]));
    expect(new Set(param('dilation').map((d) => (Array.isArray(d) ? Math.max(...d) : (d ?? 1))))).toEqual(new Set([1, 2, 3]));
    expect(new Set(param('padMode').map((m) => m ?? 'zeros'))).toEqual(new Set(['zeros', 'replicate', 'circular', 'reflect']));
    expect(conv.some((c) => c.params.groups && c.params.groups === c.inputs.x!.shape[1])).toBe(true); // depthwise
    expect(conv.some((c) => c.params.flip)).toBe(true);
    expect(conv.some((c) => c.inputs.x!.shape[0] === 1) && conv.some((c) => c.inputs.x!.shape[0]! > 1)).toBe(true);
    const chans = new Set(conv.map((c) => c.inputs.x!.shape[1]!));
    expect(chans.has(1) && chans.has(3) && [...chans].some((c) => c >= 16)).toBe(true);
    expect(conv.some((c) => c.inputs.w!.shape[2]! > c.inputs.x!.shape[2]!)).toBe(true); // kernel larger than the image
    const pools = listCases({ op: 'maxpool2d' });
    for (const t of ['ceil', 'negative', 'ties', 'nan']) expect(pools.some((c) => c.tags.includes(t)), t).toBe(true);
    expect(listCases({ op: 'sgd' }).some((c) => (c.params.steps as number) >= 5 && c.params.momentum && c.params.weightDecay)).toBe(true);
    expect(listCases({ op: 'gemm' }).some((c) => c.params.transA && c.params.transB && 'bias' in c.inputs && 'c' in c.inputs)).toBe(true);
    expect(manifest.cases.filter((c) => c.source === 'conventions').length).toBeGreaterThanOrEqual(2);
    const uw = new Set(manifest.cases.filter((c) => c.source === 'uwnet').flatMap((c) => Object.values(c.expected).map((e) => ('uwnet' in e ? e.uwnet : ''))));
    for (const n of ['im2col', 'im2col2', 'col2mat', 'col2mat2', 'conv_y', 'max_y', 'max_y3', 'max_dx', 'max_dx3', 'out', 'truth_dx', 'updated_w']) expect(uw.has(n), n).toBe(true);
  });

  it("every case matches its op's record in core (what the runner's generic call relies on)", () => {
    for (const c of manifest.cases) {
      const rec = opRecord(c.op);
      expect(rec, `${c.id}: op ${c.op} has a record`).toBeDefined();
      const inputs = new Set(rec!.inputs.map((i) => i.name));
      const required = rec!.inputs.filter((i) => !i.optional && !i.inPlace).map((i) => i.name);
      for (const k of Object.keys(c.inputs)) expect(inputs.has(k) || (c.op === 'maxpool2dBackward' && k === 'x'), `${c.id} input ${k}`).toBe(true);
      // maxpool2dBackward cases may give x instead of indices (the runner runs maxpool2d for them)
      for (const k of required) expect(k in c.inputs || (c.op === 'maxpool2dBackward' && k === 'indices' && 'x' in c.inputs), `${c.id} needs input ${k}`).toBe(true);
      const attrs = new Set([...rec!.attributes, ...(c.op === 'sgd' ? ['steps'] : [])]);
      for (const k of Object.keys(c.params)) expect(attrs.has(k), `${c.id} param ${k}`).toBe(true);
      const outputs = rec!.outputs.length ? rec!.outputs : rec!.inputs.filter((i) => i.inPlace).map((i) => i.name);
      for (const k of Object.keys(c.expected)) expect(outputs, `${c.id} expected ${k}`).toContain(k);
      expect(capabilitiesFor(c).slice(-rec!.kernels.length)).toEqual([...rec!.kernels]);
    }
    const derived = listCases({ op: 'maxpool2dBackward' }).find((c) => !('indices' in c.inputs))!;
    expect(capabilitiesFor(derived)).toEqual(['maxpool2d', 'maxpool2dBackward']);
    expect(capabilitiesFor(listCases({ op: 'dense' })[0]!)).toEqual(['gemm']);
    expect(capabilitiesFor(listCases({ op: 'conv1dBackward' })[0]!)).toEqual(['conv2dBackward']);
  });

  it('every generated case was cross-checked by tfjs, or says why not', () => {
    for (const c of manifest.cases.filter((c) => c.source !== 'uwnet')) {
      if (c.crossCheck === null) expect(c.notes, c.id).toMatch(/not cross-checked: /);
      else expect(c.crossCheck).toMatch(/tfjs/);
    }
    const unchecked = manifest.cases.filter((c) => c.source !== 'uwnet' && c.crossCheck === null);
    expect(unchecked.every((c) => c.tags.includes('nan') || c.tags.includes('ties'))).toBe(true);
  });

  it('spot check: expected arrays equal the reference recomputed from the stored float32 inputs', async () => {
    const store = nodeStore();
    for (const c of listCases({ op: ['conv2d', 'conv2dBackward', 'maxpool2d'], source: 'generated' }).filter((_, i) => i % 9 === 0)) {
      const d = (await store.load(c)) as CaseData;
      const t = (k: string) => ({ data: d.inputs[k]!, shape: c.inputs[k]!.shape });
      const tol = { atol: 1e-12, rtol: 1e-12 };
      if (c.op === 'conv2d') expect(compare(refConv2d(t('x'), t('w'), c.inputs.bias ? t('bias') : null, c.params).data, d.expected.y!, tol).ok, c.id).toBe(true);
      else if (c.op === 'conv2dBackward') {
        const g = refConv2dBackward(t('x'), t('w'), t('dy'), c.params);
        for (const k of ['dx', 'dw', 'db'] as const) expect(compare(g[k].data, d.expected[k]!, tol).ok, `${c.id} ${k}`).toBe(true);
      } else {
        const r = refMaxpool2d(t('x'), c.params as never);
        expect(compare(r.y.data, d.expected.y!, tol).ok).toBe(true);
        expect(Array.from(r.indices.data)).toEqual(Array.from(d.expected.indices!));
      }
    }
  });

  it.skipIf(!findUwnetDir())('uwnet cases load from ../shared when present', async () => {
    const c = listCases({ source: 'uwnet' })[0]!;
    const d = await nodeStore().load(c);
    expect('missing' in d).toBe(false);
  });
});
