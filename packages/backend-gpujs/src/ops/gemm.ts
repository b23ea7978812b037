import type { DataId, GemmParams } from '@convkit/core';
import type { GpujsRuntime } from '../runtime.js';
import { divmod, kernelSource, lit } from '../source.js';
import { gemmJob, tiledFits } from '../webgpu/kernels.js';

/**
 * The dot-product body shared by gemm and the im2col convolution: sum over kk < k of
 * A(kk) * B(kk), written as blocks of 4 products into 4 partial sums (more independent work per
 * fragment and a pairwise-ish summation; GL fragment shaders have no shared memory to tile in).
 * `aIdx(kk)` / `bIdx(kk)` give index expressions for the kk-th operands.
 */
export function dotLoop(acc: string, k: number, aIdx: (kk: string) => string, bIdx: (kk: string) => string, A = 'a', B = 'b'): string {
  const k4 = Math.floor(k / 4) * 4;
  const lines = [`let ${acc}0 = 0.0; let ${acc}1 = 0.0; let ${acc}2 = 0.0; let ${acc}3 = 0.0;`];
  if (k4 > 0) {
    lines.push(
      `for (let kk = 0.0; kk < ${lit(k4)}; kk += 4.0) {`,
      `  ${acc}0 = ${acc}0 + ${A}[${aIdx('kk')}] * ${B}[${bIdx('kk')}];`,
      `  ${acc}1 = ${acc}1 + ${A}[${aIdx('(kk + 1.0)')}] * ${B}[${bIdx('(kk + 1.0)')}];`,
      `  ${acc}2 = ${acc}2 + ${A}[${aIdx('(kk + 2.0)')}] * ${B}[${bIdx('(kk + 2.0)')}];`,
      `  ${acc}3 = ${acc}3 + ${A}[${aIdx('(kk + 3.0)')}] * ${B}[${bIdx('(kk + 3.0)')}];`,
      `}`,
    );
  }
  if (k4 < k) {
    lines.push(`for (let kr = ${lit(k4)}; kr < ${lit(k)}; kr++) { ${acc}0 = ${acc}0 + ${A}[${aIdx('kr')}] * ${B}[${bIdx('kr')}]; }`);
  }
  lines.push(`let ${acc} = (${acc}0 + ${acc}1) + (${acc}2 + ${acc}3);`);
  return lines.join('\n');
}

/**
 * C = alpha * op(A) op(B) + beta * C0 + bias. On webgpu: one dispatch of the register-tiled WGSL
 * GEMM (webgpu/tiled.ts); elsewhere a gpu.js kernel, one output element per thread.
 */
export async function gemm(rt: GpujsRuntime, a: DataId, b: DataId, c: DataId | null, bias: DataId | null, p: GemmParams): Promise<DataId> {
  const { m, n, k, transA, transB, alpha, beta } = p;
  const wg = rt.engine.webgpu;
  if (wg && tiledFits(m, n, 1, wg.maxGroups)) {
    const useC = !!c && beta !== 0;
    const inputs = [await rt.f(a), await rt.f(b)];
    if (useC) inputs.push(await rt.f(c!));
    if (bias) inputs.push(await rt.f(bias));
    const [out] = await rt.engine.wgsl([{ ...gemmJob(p, useC, !!bias), inputs }], [m * n]);
    return rt.out(out, m * n);
  }
  const M = lit(m);
  const Nn = lit(n);
  const K = lit(k);
  const aIdx = (kk: string) => (transA ? `${kk} * ${M} + i` : `i * ${K} + ${kk}`);
  const bIdx = (kk: string) => (transB ? `j * ${K} + ${kk}` : `${kk} * ${Nn} + j`);
  const args = ['a', 'b'];
  const handles = [await rt.f(a), await rt.f(b)];
  let tail = `let r = ${lit(alpha)} * acc;`;
  if (c && beta !== 0) {
    args.push('c');
    handles.push(await rt.f(c));
    tail += ` r = r + ${lit(beta)} * c[t];`;
  }
  if (bias) {
    args.push('bias');
    handles.push(await rt.f(bias));
    tail += ' r = r + bias[j];';
  }
  const src = kernelSource(args, `${divmod('i', 'j', 't', n)}\n${dotLoop('acc', k, aIdx, bIdx)}\n${tail}\nreturn r;`);
  // each thread loads its row of A and column of B (+ c and bias)
  const reads = 4 * m * n * (2 * k + args.length - 2);
  return rt.out(await rt.engine.run('gemm', src, m * n, handles, reads), m * n);
}
