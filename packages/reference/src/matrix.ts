/** A uwnet `.matrix`: int32 rows, int32 cols (little-endian), then float32 data[rows*cols] row-major. */
export interface UwMatrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

/** Parses a uwnet `.matrix` file. Throws on a size that does not match the header. */
export function readMatrix(bytes: Uint8Array): UwMatrix {
  if (bytes.byteLength < 8) throw new RangeError(`readMatrix: ${bytes.byteLength} bytes, need at least 8`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rows = dv.getInt32(0, true);
  const cols = dv.getInt32(4, true);
  if (rows < 0 || cols < 0 || bytes.byteLength !== 8 + 4 * rows * cols) {
    throw new RangeError(`readMatrix: header says ${rows}x${cols} (${8 + 4 * rows * cols} bytes), file has ${bytes.byteLength}`);
  }
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = dv.getFloat32(8 + 4 * i, true);
  return { rows, cols, data };
}

/** Serializes a matrix to the uwnet `.matrix` format (values rounded to float32). */
export function writeMatrix(m: { rows: number; cols: number; data: ArrayLike<number> }): Uint8Array {
  if (m.data.length !== m.rows * m.cols) throw new RangeError(`writeMatrix: ${m.data.length} values for ${m.rows}x${m.cols}`);
  const out = new Uint8Array(8 + 4 * m.data.length);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, m.rows, true);
  dv.setInt32(4, m.cols, true);
  for (let i = 0; i < m.data.length; i++) dv.setFloat32(8 + 4 * i, m.data[i]!, true);
  return out;
}
