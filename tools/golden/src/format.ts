/**
 * Writer side of the convkit golden format v1 (documented in packages/conformance/README.md and
 * packages/conformance/golden/FORMAT.md). The reader is @convkit/conformance.
 */
export const GOLDEN_FORMAT = 'convkit-golden';
export const GOLDEN_VERSION = 1;

export type GDType = 'float32' | 'float64' | 'int32';

/** An array in a .bin file (little-endian, offset aligned to 8) or a uwnet .matrix by name. */
export type ArrayRef =
  | { dtype: GDType; shape: number[]; file: string; offset: number; length: number }
  | { dtype: 'float32'; shape: number[]; uwnet: string };

export interface ExpectedRef {
  /** terms summed per output element (drives the tolerance rule); 1 for elementwise */
  reduction: number;
  /** magnitude of the largest term relative to unit scale (drives the tolerance rule); default 1 */
  scale?: number;
  /** 'exact' for integer outputs (indices) */
  exact?: boolean;
}

export interface GoldenCase {
  id: string;
  op: string;
  title: string;
  /** options of the Context op (JSON); tensors are in inputs */
  params: Record<string, unknown>;
  inputs: Record<string, ArrayRef>;
  expected: Record<string, ArrayRef & ExpectedRef>;
  /** 'generated' (reference on seeded data), 'conventions' (worked example), 'uwnet' (course goldens) */
  source: 'generated' | 'conventions' | 'uwnet';
  /** the independent implementation the expected values were checked against, or null (with reason in notes) */
  crossCheck: string | null;
  tags: string[];
  notes?: string;
}

export interface GoldenManifest {
  format: typeof GOLDEN_FORMAT;
  version: typeof GOLDEN_VERSION;
  generator: string;
  reference: string;
  files: { name: string; bytes: number; sha256: string }[];
  cases: GoldenCase[];
}

/** In-memory array before it is placed in a file. */
export type RawArray =
  | { dtype: 'float32'; shape: number[]; data: Float32Array }
  | { dtype: 'float64'; shape: number[]; data: Float64Array }
  | { dtype: 'int32'; shape: number[]; data: Int32Array }
  | { dtype: 'float32'; shape: number[]; uwnet: string };

/** Accumulates arrays into per-op binary files. */
export class BinWriter {
  #chunks = new Map<string, Uint8Array[]>();
  #sizes = new Map<string, number>();

  place(file: string, a: RawArray): ArrayRef {
    if ('uwnet' in a) return { dtype: 'float32', shape: a.shape, uwnet: a.uwnet };
    const size = this.#sizes.get(file) ?? 0;
    const pad = (8 - (size % 8)) % 8;
    const list = this.#chunks.get(file) ?? [];
    if (pad) list.push(new Uint8Array(pad));
    const offset = size + pad;
    const bytes = new Uint8Array(a.data.length * a.data.BYTES_PER_ELEMENT);
    const dv = new DataView(bytes.buffer);
    for (let i = 0; i < a.data.length; i++) {
      if (a.dtype === 'float32') dv.setFloat32(4 * i, a.data[i]!, true);
      else if (a.dtype === 'int32') dv.setInt32(4 * i, a.data[i]!, true);
      else dv.setFloat64(8 * i, a.data[i]!, true);
    }
    list.push(bytes);
    this.#chunks.set(file, list);
    this.#sizes.set(file, offset + bytes.length);
    return { dtype: a.dtype, shape: a.shape, file, offset, length: a.data.length };
  }

  files(): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    for (const name of [...this.#chunks.keys()].sort()) {
      const list = this.#chunks.get(name)!;
      const total = list.reduce((s, c) => s + c.length, 0);
      const buf = new Uint8Array(total);
      let o = 0;
      for (const c of list) {
        buf.set(c, o);
        o += c.length;
      }
      out.set(name, buf);
    }
    return out;
  }
}
