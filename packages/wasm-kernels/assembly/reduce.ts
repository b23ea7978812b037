// Shared SIMD reductions: float32x4 partial sums over blocks of 256 elements, each block's lanes
// added into a float64 total (the error of a long sum grows with 256, not with its length).

const BLOCK: i32 = 256;

@inline export function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/** sum of x[0, n) */
export function sumF32(x: usize, n: i32): f64 {
  let total: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    const end = min(n, i + BLOCK);
    let acc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) acc = f32x4.add(acc, v128.load(x + <usize>i * 4));
    total += hsum(acc);
  }
  for (; i < n; i++) total += <f64>load<f32>(x + <usize>i * 4);
  return total;
}

/** sum of (x[i] - c)^2 over [0, n) */
export function sumSqDev(x: usize, n: i32, c: f32): f64 {
  let total: f64 = 0;
  const cv = f32x4.splat(c);
  let i = 0;
  while (i + 4 <= n) {
    const end = min(n, i + BLOCK);
    let acc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const d = f32x4.sub(v128.load(x + <usize>i * 4), cv);
      acc = f32x4.add(acc, f32x4.mul(d, d));
    }
    total += hsum(acc);
  }
  for (; i < n; i++) {
    const d = load<f32>(x + <usize>i * 4) - c;
    total += <f64>(d * d);
  }
  return total;
}

/** sum of g[i] * (x[i] - c) over [0, n) */
export function sumProdDev(g: usize, x: usize, n: i32, c: f32): f64 {
  let total: f64 = 0;
  const cv = f32x4.splat(c);
  let i = 0;
  while (i + 4 <= n) {
    const end = min(n, i + BLOCK);
    let acc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const q = <usize>i * 4;
      acc = f32x4.add(acc, f32x4.mul(v128.load(g + q), f32x4.sub(v128.load(x + q), cv)));
    }
    total += hsum(acc);
  }
  for (; i < n; i++) {
    const q = <usize>i * 4;
    total += <f64>(load<f32>(g + q) * (load<f32>(x + q) - c));
  }
  return total;
}
