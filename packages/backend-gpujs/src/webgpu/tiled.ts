/**
 * The register-tiled GEMM shader every matrix-shaped WGSL kernel here is made of (gemm, the
 * implicit-GEMM convolution, the convolution weight gradient): C[z][m][n] = sum_k A(m, k, z) *
 * B(k, n, z), with A, B and the epilogue given as WGSL functions, the way tfjs-backend-webgpu's
 * matmul_packed / conv2d_mm programs take mm_readA / mm_readB / mm_write.
 *
 * A workgroup of wx * wy threads computes a TM x TN tile of C (TM = wy*rm, TN = wx*rn): each thread
 * keeps rm x rn accumulators in registers. The K axis advances in steps of TK: the workgroup loads
 * the TM x TK slice of A and the TK x TN slice of B into workgroup memory (each element once, by
 * consecutive threads along the operand's contiguous axis, so global loads coalesce), synchronises,
 * and every thread runs rm + rn shared loads and rm * rn multiply-adds per k. A thread's outputs are
 * strided by wy rows and wx columns (row ty + i*wy, column tx + j*wx): consecutive threads read
 * consecutive shared addresses and store consecutive columns.
 *
 * Out-of-range loads (the ragged edge of a tile) read 0 and out-of-range outputs are not stored, so
 * every stored sum has exactly the products of the reference, in another order.
 */

export interface Tile {
  /** threads along N (columns) */
  wx: number;
  /** threads along M (rows) */
  wy: number;
  /** rows per thread */
  rm: number;
  /** columns per thread */
  rn: number;
  /** K step held in workgroup memory */
  tk: number;
}

/** The tile for an M x N problem: 64x64 (16x16 threads of 4x4) unless one side is small. */
export function pickTile(M: number, N: number): Tile {
  if (M <= 16) return { wx: 32, wy: 4, rm: 4, rn: 4, tk: 16 }; // 16 x 128
  if (M <= 32) return { wx: 16, wy: 8, rm: 4, rn: 4, tk: 16 }; // 32 x 64
  if (N <= 32) return { wx: 8, wy: 16, rm: 4, rn: 4, tk: 16 }; // 64 x 32
  return { wx: 16, wy: 16, rm: 4, rn: 4, tk: 16 }; // 64 x 64
}

export interface TiledSpec {
  M: number;
  N: number;
  K: number;
  /** independent problems (workgroups along z) */
  Z: number;
  tile: Tile;
  /** storage declarations (bindings 0.. in the order the dispatch binds them) */
  bindings: string;
  /** body of `fn loadA(m: i32, k: i32, z: i32) -> f32`, called only with m < M, k < K */
  loadA: string;
  /** body of `fn loadB(k: i32, n: i32, z: i32) -> f32`, called only with k < K, n < N */
  loadB: string;
  /** body of `fn store(m: i32, n: i32, z: i32, s: i32, acc: f32)`, called only with m < M, n < N (s: the split-K slice, 0 without split) */
  store: string;
  /** A's contiguous axis: 'k' (row-major [M][K]) or 'm' ([K][M]); decides the load order */
  aFast: 'k' | 'm';
  /** B's contiguous axis: 'n' (row-major [K][N]) or 'k' ([N][K]) */
  bFast: 'n' | 'k';
  /** extra WGSL helpers (pad maps) */
  helpers?: string;
  /**
   * split-K: the K axis is cut into this many slices of whole K steps, one workgroup layer each
   * (workgroups along z = Z * kSplit); `store` gets the slice in `s` and writes a partial sum,
   * which a second dispatch adds up (see kernels.ts). For problems whose M x N grid has too few
   * workgroups to fill a GPU (a convolution weight gradient: M x N = K x C*kH*kW, K = N*outH*outW).
   */
  kSplit?: number;
}

/** K per split-K slice: whole K steps. */
export function kSlice(s: TiledSpec): number {
  const S = s.kSplit ?? 1;
  return Math.ceil(s.K / S / s.tile.tk) * s.tile.tk;
}

export function tiledGroups(s: TiledSpec): [number, number, number] {
  const TM = s.tile.wy * s.tile.rm;
  const TN = s.tile.wx * s.tile.rn;
  return [Math.ceil(s.N / TN), Math.ceil(s.M / TM), s.Z * (s.kSplit ?? 1)];
}

/** Threads launched by tiledGroups. */
export function tiledThreads(s: TiledSpec): number {
  const [gx, gy, gz] = tiledGroups(s);
  return gx * gy * gz * s.tile.wx * s.tile.wy;
}

/** Global-memory loads (elements) of A and B: each tile element once per workgroup that needs it. */
export function tiledLoads(s: TiledSpec): { a: number; b: number } {
  const [gx, gy] = tiledGroups(s);
  const gz = s.Z;
  // every column-tile workgroup loads all of A's rows of its row tile, and vice versa; loads past
  // the edges are skipped (they give 0 without touching memory)
  return { a: gx * gz * s.M * s.K, b: gy * gz * s.N * s.K };
}

export function tiledSource(s: TiledSpec): string {
  const { wx, wy, rm, rn, tk } = s.tile;
  const TM = wy * rm;
  const TN = wx * rn;
  const NT = wx * wy;
  const S = s.kSplit ?? 1;
  const KS = kSlice(s);
  const lines: string[] = [];
  const acc = (i: number, j: number) => `c${i}_${j}`;
  for (let i = 0; i < rm; i++) for (let j = 0; j < rn; j++) lines.push(`  var ${acc(i, j)}: f32 = 0.0;`);
  const aLoad =
    s.aFast === 'k'
      ? `let mm = e / ${tk}; let kk = e % ${tk};`
      : `let kk = e / ${TM}; let mm = e % ${TM};`;
  const bLoad =
    s.bFast === 'n'
      ? `let kk = e / ${TN}; let nn = e % ${TN};`
      : `let nn = e / ${tk}; let kk = e % ${tk};`;
  const inner: string[] = [];
  for (let i = 0; i < rm; i++) inner.push(`      let a${i} = As[kb + ty + ${i * wy}];`);
  for (let j = 0; j < rn; j++) inner.push(`      let b${j} = Bs[nb + tx + ${j * wx}];`);
  for (let i = 0; i < rm; i++) for (let j = 0; j < rn; j++) inner.push(`      ${acc(i, j)} = ${acc(i, j)} + a${i} * b${j};`);
  const stores: string[] = [];
  for (let i = 0; i < rm; i++) {
    stores.push(`  { let gm = m0 + ty + ${i * wy};`);
    stores.push(`    if (gm < ${s.M}) {`);
    for (let j = 0; j < rn; j++) stores.push(`      { let gn = n0 + tx + ${j * wx}; if (gn < ${s.N}) { store(gm, gn, z, sk, ${acc(i, j)}); } }`);
    stores.push(`    } }`);
  }
  return `// convkit tiled GEMM: ${TM}x${TN} tile, ${rm}x${rn} per thread, K step ${tk}; M=${s.M} N=${s.N} K=${s.K} Z=${s.Z} split-K ${S}
${s.bindings}
${s.helpers ?? ''}
fn loadA(m: i32, k: i32, z: i32) -> f32 {
${s.loadA}
}
fn loadB(k: i32, n: i32, z: i32) -> f32 {
${s.loadB}
}
fn store(m: i32, n: i32, z: i32, s: i32, acc: f32) {
${s.store}
}
var<workgroup> As: array<f32, ${tk * TM}>;
var<workgroup> Bs: array<f32, ${tk * TN}>;
@compute @workgroup_size(${wx}, ${wy}, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let z = i32(wid.z) / ${S};
  let sk = i32(wid.z) % ${S};
  let kBeg = sk * ${KS};
  let kEnd = min(${s.K}, kBeg + ${KS});
  let m0 = i32(wid.y) * ${TM};
  let n0 = i32(wid.x) * ${TN};
  let tx = i32(lid.x);
  let ty = i32(lid.y);
  let t = i32(li);
${lines.join('\n')}
  for (var k0 = kBeg; k0 < kEnd; k0 = k0 + ${tk}) {
    for (var e = t; e < ${TM * tk}; e = e + ${NT}) {
      ${aLoad}
      let gm = m0 + mm; let gk = k0 + kk;
      var v: f32 = 0.0;
      if (gm < ${s.M} && gk < kEnd) { v = loadA(gm, gk, z); }
      As[kk * ${TM} + mm] = v;
    }
    for (var e = t; e < ${TN * tk}; e = e + ${NT}) {
      ${bLoad}
      let gk = k0 + kk; let gn = n0 + nn;
      var v: f32 = 0.0;
      if (gk < kEnd && gn < ${s.N}) { v = loadB(gk, gn, z); }
      Bs[kk * ${TN} + nn] = v;
    }
    workgroupBarrier();
    for (var kk = 0; kk < ${tk}; kk = kk + 1) {
      let kb = kk * ${TM};
      let nb = kk * ${TN};
${inner.join('\n')}
    }
    workgroupBarrier();
  }
${stores.join('\n')}
}
`;
}
