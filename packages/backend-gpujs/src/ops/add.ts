import type { BroadcastParams, DataId } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { fresh, divmod, kernelSource, lit } from '../source.js';
import { binaryJob } from '../webgpu/cnn.js';

function dense(shape: readonly number[], strides: readonly number[]): boolean {
  let st = 1;
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    if (shape[ax] !== 1 && strides[ax] !== st) return false;
    st *= shape[ax]!;
  }
  return true;
}

/** Kernel source declaring the flat operand offsets `ia` and `ib` of output t (exact divmod per axis). */
function offsets(p: BroadcastParams): string {
  const { shape, aStrides, bStrides } = p;
  const da = dense(shape, aStrides);
  const db = dense(shape, bStrides);
  if (da && db) return 'let ia = t; let ib = t;';
  const parts: string[] = [];
  const ta: string[] = [];
  const tb: string[] = [];
  let rest = 't';
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    const n = shape[ax]!;
    if (n === 1) continue;
    const q = fresh('bq');
    const c = fresh('bc');
    parts.push(divmod(q, c, rest, n));
    rest = q;
    if (aStrides[ax] !== 0) ta.push(`${c} * ${lit(aStrides[ax]!)}`);
    if (bStrides[ax] !== 0) tb.push(`${c} * ${lit(bStrides[ax]!)}`);
  }
  parts.push(`let ia = ${da ? 't' : ta.length ? ta.join(' + ') : '0.0'};`);
  parts.push(`let ib = ${db ? 't' : tb.length ? tb.join(' + ') : '0.0'};`);
  return parts.join('\n');
}

/**
 * y = a (op) b with numpy broadcasting (core gives each operand's strides along the result's axes,
 * 0 where broadcast): one kernel (one WGSL dispatch on webgpu), one output per thread.
 */
export async function broadcastBinary(rt: GpujsRuntime, op: 'add' | 'sub' | 'mul', a: DataId, b: DataId, p: BroadcastParams): Promise<DataId> {
  const ha = await rt.f(a);
  const hb = await rt.f(b);
  const wg = rt.engine.webgpu;
  if (wg) {
    const [y] = await rt.engine.wgsl([{ ...binaryJob(op, p, wg.maxGroups), inputs: [ha, hb] }], [p.size]);
    return rt.out(y, p.size);
  }
  const sym = op === 'add' ? '+' : op === 'sub' ? '-' : '*';
  const src = kernelSource(['a', 'b'], `${offsets(p)}\nreturn a[ia] ${sym} b[ib];`);
  return rt.out(await rt.engine.run(op, src, p.size, [ha, hb], 8 * p.size), p.size);
}

export function add(rt: GpujsRuntime, a: DataId, b: DataId, p: BroadcastParams): Promise<DataId> {
  return broadcastBinary(rt, 'add', a, b, p);
}
