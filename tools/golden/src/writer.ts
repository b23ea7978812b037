/**
 * Writer side of the convkit golden format v1: places arrays into the per-op .bin files. The
 * format's types (manifest, case, array reference) are @convkit/conformance's, the reader
 * (`@convkit/conformance/format`, documented in packages/conformance/golden/FORMAT.md).
 */
import type { ArrayRef } from '@convkit/conformance/format';

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
