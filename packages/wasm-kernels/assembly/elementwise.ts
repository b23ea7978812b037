// Elementwise binary ops with broadcasting, as m rows of n outputs: y[i*n + j] = a[i*oa + j*sa] (op) b[i*ob + j*sb]
// (element strides; 0 = broadcast). Rows where both inner strides are 0 or 1 run 4 outputs per
// f32x4 step (a broadcast operand splatted), a scalar tail for n % 4; other strides run scalar.
// IEEE float32 arithmetic: NaN and Inf propagate as in the scalar ops.

@inline function op4(op: i32, x: v128, z: v128): v128 {
  if (op == 0) return f32x4.add(x, z);
  if (op == 1) return f32x4.sub(x, z);
  return f32x4.mul(x, z);
}

@inline function op1(op: i32, x: f32, z: f32): f32 {
  if (op == 0) return x + z;
  if (op == 1) return x - z;
  return x * z;
}

@inline function binaryRows(op: i32, a: usize, oa: i32, sa: i32, b: usize, ob: i32, sb: i32, y: usize, m: i32, n: i32): void {
  for (let i = 0; i < m; i++) {
    const pa = a + <usize>(i * oa) * 4;
    const pb = b + <usize>(i * ob) * 4;
    const py = y + <usize>(i * n) * 4;
    let j = 0;
    if (sa == 1 && sb == 1) {
      for (; j + 4 <= n; j += 4) {
        const q = <usize>j * 4;
        v128.store(py + q, op4(op, v128.load(pa + q), v128.load(pb + q)));
      }
    } else if (sa == 1 && sb == 0) {
      const bs = f32x4.splat(load<f32>(pb));
      for (; j + 4 <= n; j += 4) {
        const q = <usize>j * 4;
        v128.store(py + q, op4(op, v128.load(pa + q), bs));
      }
    } else if (sa == 0 && sb == 1) {
      const as = f32x4.splat(load<f32>(pa));
      for (; j + 4 <= n; j += 4) {
        const q = <usize>j * 4;
        v128.store(py + q, op4(op, as, v128.load(pb + q)));
      }
    }
    for (; j < n; j++) {
      store<f32>(py + <usize>j * 4, op1(op, load<f32>(pa + <usize>(j * sa) * 4), load<f32>(pb + <usize>(j * sb) * 4)));
    }
  }
}

/** y = a + b over m rows of n (see the file comment for the strides). */
export function addRows(a: usize, oa: i32, sa: i32, b: usize, ob: i32, sb: i32, y: usize, m: i32, n: i32): void {
  binaryRows(0, a, oa, sa, b, ob, sb, y, m, n);
}

/** y = a - b over m rows of n. */
export function subRows(a: usize, oa: i32, sa: i32, b: usize, ob: i32, sb: i32, y: usize, m: i32, n: i32): void {
  binaryRows(1, a, oa, sa, b, ob, sb, y, m, n);
}

/** y = a * b over m rows of n. */
export function mulRows(a: usize, oa: i32, sa: i32, b: usize, ob: i32, sb: i32, y: usize, m: i32, n: i32): void {
  binaryRows(2, a, oa, sa, b, ob, sb, y, m, n);
}
