/**
 * Helpers that generate gpu.js kernel source text. Every kernel is a flat 1-D kernel (output
 * [size], `this.thread.x` is the flat output index) whose geometry is baked into the source as
 * float literals, so one compiled kernel serves one op signature and gpu.js never sees a dynamic
 * loop bound.
 *
 * Index arithmetic runs in 32-bit floats on every engine (GLSL, WGSL and gpu.js's wasm lowering
 * type kernel numbers as f32). Integers are exact up to 2^24, so every tensor a kernel touches
 * is limited to 2^24 elements (checked by the backend before it launches a kernel), and integer
 * division is done by `divmod`, which corrects the float quotient by one step either way: it is
 * exact for 0 <= |a| < 2^24 whatever the rounding of a / d.
 */

/** Largest tensor (elements) whose flat indices are exact in f32 index arithmetic. */
export const MAX_INDEXABLE = 2 ** 24;

/** A float literal for kernel source (gpu.js types `3` as Integer and `3.0` as Number). */
export function lit(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`gpujs: cannot bake a non-finite constant (${x}) into a kernel`);
  if (Object.is(x, -0)) return '0.0';
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

let uid = 0;
/** A fresh identifier suffix, so generated snippets never collide. */
export function fresh(prefix: string): string {
  uid = (uid + 1) % 1_000_000;
  return `${prefix}_${uid}`;
}

/**
 * Declares q = floor(a / d) and r = a - q*d (0 <= r < d) for integer-valued float a (|a| < 2^24)
 * and integer d >= 1, exactly.
 */
export function divmod(q: string, r: string, a: string, d: number): string {
  if (d === 1) return `let ${q} = ${a}; let ${r} = 0.0;`;
  const D = lit(d);
  return (
    `let ${q} = Math.floor(${a} / ${D}); let ${r} = ${a} - ${q} * ${D}; ` +
    `if (${r} < 0.0) { ${q} = ${q} - 1.0; ${r} = ${r} + ${D}; } ` +
    `if (${r} >= ${D}) { ${q} = ${q} + 1.0; ${r} = ${r} - ${D}; }`
  );
}

/**
 * Splits the flat index `t` into the named coordinates of a row-major shape. `names[i]` gets the
 * coordinate along `dims[i]`.
 */
export function unflatten(t: string, names: readonly string[], dims: readonly number[]): string {
  const parts: string[] = [];
  let rest = t;
  for (let i = dims.length - 1; i >= 1; i--) {
    const q = fresh('q');
    parts.push(divmod(q, names[i]!, rest, dims[i]!));
    rest = q;
  }
  parts.push(`let ${names[0]} = ${rest};`);
  return parts.join('\n');
}

export type PadMode = 'zeros' | 'replicate' | 'circular' | 'reflect';

/**
 * Maps the (possibly out-of-range) coordinate `i` on an axis of size n to the in-image coordinate
 * it reads (declares `j`) and whether it is inside (declares `ok` = 1.0 or 0.0), per pad mode.
 * Same map as core's padIndex (CONVENTIONS.md: replicate clamps, circular wraps, reflect mirrors
 * without repeating the edge).
 */
export function padMap(j: string, ok: string, i: string, n: number, mode: PadMode): string {
  const N = lit(n);
  switch (mode) {
    case 'zeros':
      return `let ${j} = ${i}; let ${ok} = 1.0; if (${i} < 0.0 || ${i} >= ${N}) { ${ok} = 0.0; ${j} = 0.0; }`;
    case 'replicate':
      return `let ${j} = Math.min(Math.max(${i}, 0.0), ${lit(n - 1)}); let ${ok} = 1.0;`;
    case 'circular': {
      const q = fresh('cq');
      return `${divmod(q, j, i, n)} let ${ok} = 1.0;`;
    }
    case 'reflect': {
      if (n === 1) return `let ${j} = 0.0; let ${ok} = 1.0;`;
      const period = 2 * n - 2;
      const a = fresh('ra');
      const q = fresh('rq');
      return (
        `let ${a} = Math.abs(${i}); ${divmod(q, j, a, period)} ` +
        `if (${j} >= ${N}) { ${j} = ${lit(period)} - ${j}; } let ${ok} = 1.0;`
      );
    }
  }
}

/**
 * Wraps a body into kernel source with the given argument names. The `fresh()` identifiers are
 * renumbered in order of appearance, so the same op signature always yields the same text: the
 * engine caches compiled kernels by source, and a per-call counter in the text would recompile
 * (and keep) a new kernel on every call.
 */
export function kernelSource(args: readonly string[], body: string): string {
  const ids = new Map<string, string>();
  const stable = body.replace(/\b([A-Za-z]+)_(\d+)\b/g, (m: string, p: string) => {
    let r = ids.get(m);
    if (!r) {
      r = `${p}_${ids.size}`;
      ids.set(m, r);
    }
    return r;
  });
  return `function (${args.join(', ')}) {\nlet t = this.thread.x * 1.0;\n${stable}\n}`;
}

/**
 * Declares `${flag}` = 1.0 when `v` is NaN, else 0.0. Shader compilers disagree about NaN: ANGLE
 * on Mesa compiles `<` as an unordered compare (NaN < 0 is true) but keeps `x != x`, while the
 * WGSL path on SwiftShader folds `x != x` to false but keeps ordered compares (a NaN is neither
 * <= 0 nor > 0). Either test alone misses NaN somewhere; together they catch it everywhere we run.
 */
export function nanFlag(flag: string, v: string): string {
  const f2 = fresh('nf');
  return (
    `let ${flag} = 0.0; if (${v} != ${v}) { ${flag} = 1.0; } ` +
    `let ${f2} = 1.0; if (${v} <= 0.0) { ${f2} = 0.0; } if (${v} > 0.0) { ${f2} = 0.0; } if (${f2} > 0.5) { ${flag} = 1.0; }`
  );
}
