// Softmax / log-softmax along one axis of x viewed as [outer, len, inner], 4 slices or 4 elements
// per f32x4 step: inner = 1 runs along each contiguous row, inner > 1 runs 4 adjacent slices at
// once (the axis strided by inner), scalar tails. Max by f32x4.max (NaN-propagating: a NaN in a
// slice makes the whole slice NaN, as the js kernel), exp by a Cephes-style polynomial (about
// 2 ulp; arguments below -87.3 give ~1e-38 instead of 0), sums as float32x4 partial sums over
// blocks of 256 added into float64 (as ./reduce).

const BLOCK: i32 = 256;

// exp(x) for x <= 0 (softmax arguments are x - max); Cephes expf constants
@inline function exp4(x: v128): v128 {
  x = f32x4.max(x, f32x4.splat(-87.3));
  x = f32x4.min(x, f32x4.splat(88.3));
  const fx = f32x4.floor(f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), f32x4.splat(0.5)));
  let r = f32x4.sub(x, f32x4.mul(fx, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(fx, f32x4.splat(-2.12194440e-4)));
  const r2 = f32x4.mul(r, r);
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, r2), r), f32x4.splat(1));
  const e = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(fx), i32x4.splat(127)), 23);
  return f32x4.mul(p, e);
}

@inline function hsum4(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

@inline function hmax4(v: v128): f32 {
  return max(max(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
}

/** One contiguous row of len at x into y. */
function softmaxRow(x: usize, len: i32, y: usize, log: bool): void {
  let mv = f32x4.splat(-Infinity);
  let j = 0;
  for (; j + 4 <= len; j += 4) mv = f32x4.max(mv, v128.load(x + <usize>j * 4));
  let m = hmax4(mv);
  for (; j < len; j++) m = max(m, load<f32>(x + <usize>j * 4));
  const ms = f32x4.splat(m);
  let total: f64 = 0;
  j = 0;
  while (j + 4 <= len) {
    const end = min(len, j + BLOCK);
    let sv = f32x4.splat(0);
    for (; j + 4 <= end; j += 4) {
      const e = exp4(f32x4.sub(v128.load(x + <usize>j * 4), ms));
      if (!log) v128.store(y + <usize>j * 4, e);
      sv = f32x4.add(sv, e);
    }
    total += <f64>hsum4(sv);
  }
  for (; j < len; j++) {
    const e = Mathf.exp(load<f32>(x + <usize>j * 4) - m);
    if (!log) store<f32>(y + <usize>j * 4, e);
    total += <f64>e;
  }
  const s = <f32>total;
  j = 0;
  if (log) {
    const ls = <f32>Math.log(<f64>s);
    const lv = f32x4.splat(ls);
    for (; j + 4 <= len; j += 4) v128.store(y + <usize>j * 4, f32x4.sub(f32x4.sub(v128.load(x + <usize>j * 4), ms), lv));
    for (; j < len; j++) store<f32>(y + <usize>j * 4, (load<f32>(x + <usize>j * 4) - m) - ls);
  } else {
    const sd = f32x4.splat(s);
    for (; j + 4 <= len; j += 4) v128.store(y + <usize>j * 4, f32x4.div(v128.load(y + <usize>j * 4), sd));
    for (; j < len; j++) store<f32>(y + <usize>j * 4, load<f32>(y + <usize>j * 4) / s);
  }
}

/** 4 adjacent slices starting at x (axis stride `inner` floats) into y. */
function softmax4(x: usize, len: i32, inner: i32, y: usize, log: bool): void {
  const st = <usize>inner * 4;
  let mv = f32x4.splat(-Infinity);
  for (let j = 0; j < len; j++) mv = f32x4.max(mv, v128.load(x + <usize>j * st));
  // float32x4 partial sums over blocks of BLOCK steps, added into float64 per lane
  let lo = f64x2.splat(0);
  let hi = f64x2.splat(0);
  let j = 0;
  while (j < len) {
    const end = min(len, j + BLOCK);
    let acc = f32x4.splat(0);
    for (; j < end; j++) {
      const e = exp4(f32x4.sub(v128.load(x + <usize>j * st), mv));
      if (!log) v128.store(y + <usize>j * st, e);
      acc = f32x4.add(acc, e);
    }
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(acc));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(i8x16.shuffle(acc, acc, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)));
  }
  const sv = f32x4(<f32>f64x2.extract_lane(lo, 0), <f32>f64x2.extract_lane(lo, 1), <f32>f64x2.extract_lane(hi, 0), <f32>f64x2.extract_lane(hi, 1));
  if (log) {
    const lv = f32x4(
      <f32>Math.log(<f64>f32x4.extract_lane(sv, 0)), <f32>Math.log(<f64>f32x4.extract_lane(sv, 1)),
      <f32>Math.log(<f64>f32x4.extract_lane(sv, 2)), <f32>Math.log(<f64>f32x4.extract_lane(sv, 3)),
    );
    for (let j = 0; j < len; j++) v128.store(y + <usize>j * st, f32x4.sub(f32x4.sub(v128.load(x + <usize>j * st), mv), lv));
  } else {
    for (let j = 0; j < len; j++) v128.store(y + <usize>j * st, f32x4.div(v128.load(y + <usize>j * st), sv));
  }
}

/** One slice with axis stride `inner`, scalar. */
function softmax1(x: usize, len: i32, inner: i32, y: usize, log: bool): void {
  const st = <usize>inner * 4;
  let m: f32 = -Infinity;
  for (let j = 0; j < len; j++) m = max(m, load<f32>(x + <usize>j * st));
  let total: f64 = 0;
  for (let j = 0; j < len; j++) {
    const e = Mathf.exp(load<f32>(x + <usize>j * st) - m);
    if (!log) store<f32>(y + <usize>j * st, e);
    total += <f64>e;
  }
  const s = <f32>total;
  if (log) {
    const ls = <f32>Math.log(<f64>s);
    for (let j = 0; j < len; j++) store<f32>(y + <usize>j * st, (load<f32>(x + <usize>j * st) - m) - ls);
  } else {
    for (let j = 0; j < len; j++) store<f32>(y + <usize>j * st, load<f32>(y + <usize>j * st) / s);
  }
}

/** Softmax (log = 0) or log-softmax (log = 1) of x [outer, len, inner] along len into y. */
export function softmaxAxis(x: usize, outer: i32, len: i32, inner: i32, y: usize, log: i32): void {
  const lg = log != 0;
  const plane = <usize>(len * inner) * 4;
  for (let o = 0; o < outer; o++) {
    const xo = x + <usize>o * plane;
    const yo = y + <usize>o * plane;
    if (inner == 1) {
      softmaxRow(xo, len, yo, lg);
      continue;
    }
    let i = 0;
    for (; i + 4 <= inner; i += 4) softmax4(xo + <usize>i * 4, len, inner, yo + <usize>i * 4, lg);
    for (; i < inner; i++) softmax1(xo + <usize>i * 4, len, inner, yo + <usize>i * 4, lg);
  }
}

/** Sum along one contiguous row of len: dy*y (softmax) or dy (log), float32x4 blocks into float64. */
function rowDot(y: usize, dy: usize, len: i32, log: bool): f64 {
  let total: f64 = 0;
  let j = 0;
  while (j + 4 <= len) {
    const end = min(len, j + BLOCK);
    let acc = f32x4.splat(0);
    for (; j + 4 <= end; j += 4) {
      const g = v128.load(dy + <usize>j * 4);
      acc = f32x4.add(acc, log ? g : f32x4.mul(g, v128.load(y + <usize>j * 4)));
    }
    total += <f64>hsum4(acc);
  }
  for (; j < len; j++) {
    const g = load<f32>(dy + <usize>j * 4);
    total += <f64>(log ? g : g * load<f32>(y + <usize>j * 4));
  }
  return total;
}

/**
 * Backward of softmaxAxis from its output y: softmax (log 0) dx = y * (dy - sum(dy * y)),
 * log-softmax (log 1) dx = dy - exp(y) * sum(dy), sums along len (float32x4 blocks of 256 into
 * float64), 4 per f32x4 step along the row (inner 1) or over 4 adjacent slices (inner > 1).
 */
export function softmaxAxisBackward(y: usize, dy: usize, outer: i32, len: i32, inner: i32, dx: usize, log: i32): void {
  const lg = log != 0;
  const plane = <usize>(len * inner) * 4;
  const st = <usize>inner * 4;
  for (let o = 0; o < outer; o++) {
    const yo = y + <usize>o * plane;
    const go = dy + <usize>o * plane;
    const xo = dx + <usize>o * plane;
    if (inner == 1) {
      const s = <f32>rowDot(yo, go, len, lg);
      const sv = f32x4.splat(s);
      let j = 0;
      for (; j + 4 <= len; j += 4) {
        const q = <usize>j * 4;
        const yv = v128.load(yo + q);
        const g = v128.load(go + q);
        v128.store(xo + q, lg ? f32x4.sub(g, f32x4.mul(exp4(yv), sv)) : f32x4.mul(yv, f32x4.sub(g, sv)));
      }
      for (; j < len; j++) {
        const q = <usize>j * 4;
        const yv = load<f32>(yo + q);
        const g = load<f32>(go + q);
        store<f32>(xo + q, lg ? g - Mathf.exp(yv) * s : yv * (g - s));
      }
      continue;
    }
    let i = 0;
    for (; i + 4 <= inner; i += 4) {
      const yb = yo + <usize>i * 4;
      const gb = go + <usize>i * 4;
      const xb = xo + <usize>i * 4;
      let lo = f64x2.splat(0);
      let hi = f64x2.splat(0);
      let j = 0;
      while (j < len) {
        const end = min(len, j + BLOCK);
        let acc = f32x4.splat(0);
        for (; j < end; j++) {
          const g = v128.load(gb + <usize>j * st);
          acc = f32x4.add(acc, lg ? g : f32x4.mul(g, v128.load(yb + <usize>j * st)));
        }
        lo = f64x2.add(lo, f64x2.promote_low_f32x4(acc));
        hi = f64x2.add(hi, f64x2.promote_low_f32x4(i8x16.shuffle(acc, acc, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)));
      }
      const sv = f32x4(<f32>f64x2.extract_lane(lo, 0), <f32>f64x2.extract_lane(lo, 1), <f32>f64x2.extract_lane(hi, 0), <f32>f64x2.extract_lane(hi, 1));
      for (let j = 0; j < len; j++) {
        const q = <usize>j * st;
        const yv = v128.load(yb + q);
        const g = v128.load(gb + q);
        v128.store(xb + q, lg ? f32x4.sub(g, f32x4.mul(exp4(yv), sv)) : f32x4.mul(yv, f32x4.sub(g, sv)));
      }
    }
    for (; i < inner; i++) {
      const yb = yo + <usize>i * 4;
      const gb = go + <usize>i * 4;
      const xb = xo + <usize>i * 4;
      let total: f64 = 0;
      for (let j = 0; j < len; j++) {
        const g = load<f32>(gb + <usize>j * st);
        total += <f64>(lg ? g : g * load<f32>(yb + <usize>j * st));
      }
      const s = <f32>total;
      for (let j = 0; j < len; j++) {
        const q = <usize>j * st;
        const yv = load<f32>(yb + q);
        const g = load<f32>(gb + q);
        store<f32>(xb + q, lg ? g - Mathf.exp(yv) * s : yv * (g - s));
      }
    }
  }
}
