import type { Conv2dBackwardResult, Conv2dBackwardWants, Conv2dParams, DataId } from '@convkit/core';
import type { WorkersRuntime } from '../runtime.js';
import { segments, split, type Range } from '../partition.js';
import type { Task } from '../pool.js';
import type { Rec } from '../storage.js';
import { convWork } from './conv2d.js';

/**
 * dx tiles for the wasm kernels: images (the driver's native split) when the batch covers the
 * tasks; else (image, input channels) tiles with groups = 1 (the worker gathers the filters'
 * channel slice and runs the wasm dx on it); else whole images.
 */
function wasmDxTiles(p: Conv2dParams, T: number): [Range, Range][] {
  const all = (n: number): Range => [0, n];
  if (p.N >= T || p.groups !== 1 || p.C < 2) return split(p.N, T).map((n) => [n, all(p.C)]);
  const perImage = Math.min(p.C, Math.ceil(T / p.N));
  const tiles: [Range, Range][] = [];
  for (let n = 0; n < p.N; n++) for (const c of split(p.C, perImage)) tiles.push([[n, n + 1], c]);
  return tiles;
}

/**
 * dx, dW and db in one round trip. dx tasks own (image, input channel) planes; dW tasks own
 * (output channel, input channel) blocks and each sums over the whole batch itself, so no task
 * shares an accumulator with another and the result does not depend on the split.
 */
export async function conv2dBackward(
  rt: WorkersRuntime,
  x: DataId,
  w: DataId,
  dy: DataId,
  p: Conv2dParams,
  wants: Conv2dBackwardWants,
): Promise<Conv2dBackwardResult> {
  const { N, C, K, groups, kH, kW } = p;
  const Cg = C / groups;
  const HW = p.inH * p.inW;
  const xr = rt.get(x);
  const wr = rt.get(w);
  const dyr = rt.get(dy);
  const T = rt.parts(convWork(p));
  const tasks: Task[] = [];
  const outs: Rec[] = [];
  const all = (n: number): Range => [0, n];
  let dx: Rec | undefined;
  let dw: Rec | undefined;
  let db: Rec | undefined;
  if (wants.dw) {
    dw = rt.allocOutput(K * Cg * kH * kW);
    outs.push(dw);
    // big dW tasks (each sums over the whole batch) go first, one per worker; the smaller dx tasks fill in
    const Tw = rt.parts(convWork(p), 1);
    const tiles: [Range, Range][] =
      Tw === 1
        ? [[all(K), all(Cg)]]
        : rt.wasm
          ? // wasm: by input channel when there are enough (each task im2cols only its own
            // channels, so no task repeats another's im2col: A-bwd dW 17.0 -> see the changeset),
            // else by output channel; each task sums the whole batch
            Cg >= Tw
            ? split(Cg, Tw).map((c) => [all(K), c])
            : split(K, Tw, K >= 4 * Tw ? 4 : 1).map((k) => [k, all(Cg)])
          : Cg >= Tw && Cg % Tw === 0
          ? split(Cg, Tw).map((c) => [all(K), c])
          : K >= Tw
            ? split(K, Tw).map((k) => [k, all(Cg)])
            : split(Cg, Tw).map((c) => [all(K), c]);
    for (const [k, c] of tiles) {
      tasks.push({
        kernel: 'conv2dBackwardFilter',
        p,
        args: { x: xr, dy: dyr, dw },
        outs: { dw: segments([K, Cg, kH * kW], [k, c]) },
        r: [k[0], k[1], c[0], c[1]],
      });
    }
  }
  if (wants.dx) {
    dx = rt.allocOutput(N * C * HW);
    outs.push(dx);
    const tiles: [Range, Range][] =
      T === 1
        ? [[all(N), all(C)]]
        : rt.wasm
          ? wasmDxTiles(p, T)
          : N % T === 0 || N >= 4 * T || C < T
          ? split(N, T).map((n) => [n, all(C)])
          : split(C, T).map((c) => [all(N), c]);
    for (const [n, c] of tiles) {
      tasks.push({
        kernel: 'conv2dBackwardData',
        p,
        args: { w: wr, dy: dyr, dx },
        outs: { dx: segments([N, C, HW], [n, c]) },
        r: [n[0], n[1], c[0], c[1]],
      });
    }
  }
  if (wants.db) {
    db = rt.allocOutput(K);
    outs.push(db);
    const kt = split(K, rt.parts(N * K * p.outH * p.outW, 1));
    for (const k of kt) {
      tasks.push({ kernel: 'conv2dBackwardBias', p, args: { dy: dyr, db }, outs: { db: [k] }, r: [k[0], k[1]] });
    }
  }
  await rt.exec('conv2dBackward', tasks, outs);
  return { dx, dw, db };
}
