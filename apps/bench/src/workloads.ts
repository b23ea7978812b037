/**
 * The benchmark workloads (NCHW float32, 'same' padding as CONVENTIONS.md defines it: the window
 * for output o starts at o*s - floor((k-1)/2)).
 */

export interface ConvShape {
  N: number;
  C: number;
  H: number;
  W: number;
  K: number;
  R: number;
  S: number;
  stride: number;
}

export interface PoolShape {
  N: number;
  C: number;
  H: number;
  W: number;
  k: number;
  stride: number;
}

export interface GemmShape {
  M: number;
  N: number;
  K: number;
}

export interface TrainShape {
  batch: number;
  H: number;
  W: number;
  /** channels of conv1 and conv2 */
  c1: number;
  c2: number;
  classes: number;
}

export type Workload =
  | { id: string; title: string; kind: 'conv'; shape: ConvShape }
  | { id: string; title: string; kind: 'convBackward'; shape: ConvShape }
  | { id: string; title: string; kind: 'maxpool'; shape: PoolShape }
  | { id: string; title: string; kind: 'gemm'; shape: GemmShape }
  | { id: string; title: string; kind: 'train'; shape: TrainShape };

/** 'same' geometry of one axis: output size and the window start offset (before-padding). */
export function sameAxis(inSize: number, k: number, s: number): { out: number; before: number; after: number } {
  const out = Math.floor((inSize - 1) / s) + 1;
  const before = Math.floor((k - 1) / 2);
  const after = Math.max(0, (out - 1) * s + k - inSize - before);
  return { out, before, after };
}

export function convGeometry(c: ConvShape) {
  const y = sameAxis(c.H, c.R, c.stride);
  const x = sameAxis(c.W, c.S, c.stride);
  return { outH: y.out, outW: x.out, padTop: y.before, padBottom: y.after, padLeft: x.before, padRight: x.after };
}

export function poolGeometry(p: PoolShape) {
  const y = sameAxis(p.H, p.k, p.stride);
  const x = sameAxis(p.W, p.k, p.stride);
  return { outH: y.out, outW: x.out, padTop: y.before, padBottom: y.after, padLeft: x.before, padRight: x.after };
}

/** Useful floating-point operations of one run (a multiply-add counts 2). */
export function flops(w: Workload): number {
  switch (w.kind) {
    case 'conv': {
      const c = w.shape;
      const g = convGeometry(c);
      return 2 * c.N * c.K * g.outH * g.outW * c.C * c.R * c.S;
    }
    case 'convBackward': {
      const c = w.shape;
      const g = convGeometry(c);
      // dx and dW, each as many multiply-adds as the forward pass
      return 2 * 2 * c.N * c.K * g.outH * g.outW * c.C * c.R * c.S;
    }
    case 'gemm':
      return 2 * w.shape.M * w.shape.N * w.shape.K;
    case 'maxpool':
      return 0;
    case 'train': {
      const t = w.shape;
      const h2 = Math.ceil(t.H / 2);
      const w2 = Math.ceil(t.W / 2);
      const h3 = Math.ceil(h2 / 2);
      const w3 = Math.ceil(w2 / 2);
      const conv1 = 2 * t.batch * t.c1 * t.H * t.W * 1 * 9;
      const conv2 = 2 * t.batch * t.c2 * h2 * w2 * t.c1 * 9;
      const dense = 2 * t.batch * t.c2 * h3 * w3 * t.classes;
      // forward + dW for every layer + dx for conv2 and dense (conv1 needs no dx)
      return conv1 * 2 + conv2 * 3 + dense * 3;
    }
  }
}

/** Bytes a memory-bound workload moves: input read once, output written once (values only). */
export function bytesMoved(w: Workload): number {
  if (w.kind !== 'maxpool') return 0;
  const p = w.shape;
  const g = poolGeometry(p);
  return 4 * (p.N * p.C * p.H * p.W + p.N * p.C * g.outH * g.outW);
}

export function fullWorkloads(): Workload[] {
  const A: ConvShape = { N: 8, C: 32, H: 64, W: 64, K: 64, R: 3, S: 3, stride: 1 };
  return [
    { id: 'conv-A', title: 'conv2d 3x3 N=8 C=32 64x64 K=64', kind: 'conv', shape: A },
    { id: 'conv-B', title: 'conv2d 5x5 N=64 C=1 28x28 K=32', kind: 'conv', shape: { N: 64, C: 1, H: 28, W: 28, K: 32, R: 5, S: 5, stride: 1 } },
    { id: 'conv-C', title: 'conv2d 7x7/2 N=1 C=3 224x224 K=64', kind: 'conv', shape: { N: 1, C: 3, H: 224, W: 224, K: 64, R: 7, S: 7, stride: 2 } },
    { id: 'conv-D', title: 'conv2d 1x1 N=8 C=64 32x32 K=128', kind: 'conv', shape: { N: 8, C: 64, H: 32, W: 32, K: 128, R: 1, S: 1, stride: 1 } },
    { id: 'maxpool', title: 'maxpool 2x2/2 N=8 C=64 64x64', kind: 'maxpool', shape: { N: 8, C: 64, H: 64, W: 64, k: 2, stride: 2 } },
    { id: 'gemm', title: 'GEMM 1024x1024x1024', kind: 'gemm', shape: { M: 1024, N: 1024, K: 1024 } },
    { id: 'conv-A-bwd', title: 'conv2d backward dx+dW of A', kind: 'convBackward', shape: A },
    { id: 'train', title: 'training step, CNN batch 64 28x28', kind: 'train', shape: { batch: 64, H: 28, W: 28, c1: 16, c2: 32, classes: 10 } },
  ];
}

/** Tiny sizes with the same structure (odd sizes, stride 2, even kernels' centring): correctness only. */
export function quickWorkloads(): Workload[] {
  const A: ConvShape = { N: 2, C: 3, H: 9, W: 8, K: 4, R: 3, S: 3, stride: 1 };
  return [
    { id: 'conv-A', title: 'conv2d 3x3 N=2 C=3 9x8 K=4', kind: 'conv', shape: A },
    { id: 'conv-B', title: 'conv2d 5x5 N=3 C=1 7x7 K=2', kind: 'conv', shape: { N: 3, C: 1, H: 7, W: 7, K: 2, R: 5, S: 5, stride: 1 } },
    { id: 'conv-C', title: 'conv2d 7x7/2 N=1 C=3 15x13 K=4', kind: 'conv', shape: { N: 1, C: 3, H: 15, W: 13, K: 4, R: 7, S: 7, stride: 2 } },
    { id: 'conv-D', title: 'conv2d 1x1 N=2 C=5 4x6 K=3', kind: 'conv', shape: { N: 2, C: 5, H: 4, W: 6, K: 3, R: 1, S: 1, stride: 1 } },
    { id: 'maxpool', title: 'maxpool 2x2/2 N=2 C=3 6x8', kind: 'maxpool', shape: { N: 2, C: 3, H: 6, W: 8, k: 2, stride: 2 } },
    { id: 'gemm', title: 'GEMM 17x13x9', kind: 'gemm', shape: { M: 17, N: 13, K: 9 } },
    { id: 'conv-A-bwd', title: 'conv2d backward dx+dW 3x3 N=2 C=3 9x8 K=4', kind: 'convBackward', shape: A },
    { id: 'train', title: 'training step, CNN batch 4 8x8', kind: 'train', shape: { batch: 4, H: 8, W: 8, c1: 3, c2: 4, classes: 5 } },
  ];
}
