/**
 * The convkit golden format, version 1 (see golden/FORMAT.md): its types, shared by this reader
 * and the writer in tools/golden (which imports them from `@convkit/conformance/format`), and the
 * reader side. Browser-safe: no node: imports.
 */
export const GOLDEN_FORMAT = 'convkit-golden';
export const GOLDEN_VERSION = 1;

export type GDType = 'float32' | 'float64' | 'int32';

/** An array in a .bin file (little-endian, offset aligned to 8) or a uwnet .matrix by name. */
export type ArrayRef =
  | { dtype: GDType; shape: number[]; file: string; offset: number; length: number }
  | { dtype: 'float32'; shape: number[]; uwnet: string };

/** What an expected array adds to its ArrayRef: the inputs of the tolerance rule (tolerance.ts). */
export interface ExpectedHints {
  /** terms summed per output element (drives the tolerance rule); 1 for elementwise */
  reduction: number;
  /** magnitude of the largest term relative to unit scale (drives the tolerance rule); default 1 */
  scale?: number;
  /** true for integer outputs (indices), compared exactly */
  exact?: boolean;
}

export interface GoldenCase {
  id: string;
  op: string;
  title: string;
  /** options of the Context op (JSON); tensors are in inputs */
  params: Record<string, unknown>;
  inputs: Record<string, ArrayRef>;
  expected: Record<string, ArrayRef & ExpectedHints>;
  /** 'generated' (reference on seeded data), 'conventions' (worked example), 'uwnet' (course goldens) */
  source: 'generated' | 'conventions' | 'uwnet';
  /** the independent implementation the expected values were checked against, or null (with reason in notes) */
  crossCheck: string | null;
  tags: string[];
  notes?: string;
}

export interface GoldenManifest {
  /** GOLDEN_FORMAT; a reader refuses any other */
  format: string;
  /** GOLDEN_VERSION; a reader refuses any other */
  version: number;
  generator: string;
  reference: string;
  files: { name: string; bytes: number; sha256: string }[];
  cases: GoldenCase[];
}

export type NumArray = Float32Array | Float64Array | Int32Array;

/** The arrays of one case, decoded. */
export interface CaseData {
  inputs: Record<string, NumArray>;
  expected: Record<string, NumArray>;
}

/** Reads a file of the golden directory by relative path ('manifest.json', 'conv2d.bin'). */
export type ReadFile = (relPath: string) => Promise<Uint8Array>;
/** Reads a uwnet .matrix by name ('conv_x'), or returns null when the course data is absent. */
export type ReadUwnet = (name: string) => Promise<Uint8Array | null>;

/** Which cases: by op, id (substring or RegExp), tag, source, or a predicate. */
export type CaseFilter =
  | ((c: GoldenCase) => boolean)
  | { op?: string | readonly string[]; id?: string | RegExp; tag?: string; source?: GoldenCase['source'] };

export function matches(c: GoldenCase, f?: CaseFilter): boolean {
  if (!f) return true;
  if (typeof f === 'function') return f(c);
  if (f.op !== undefined && !(typeof f.op === 'string' ? [f.op] : f.op).includes(c.op)) return false;
  if (f.id !== undefined && !(typeof f.id === 'string' ? c.id.includes(f.id) : f.id.test(c.id))) return false;
  if (f.tag !== undefined && !c.tags.includes(f.tag)) return false;
  if (f.source !== undefined && c.source !== f.source) return false;
  return true;
}

function decode(bytes: Uint8Array, ref: Extract<ArrayRef, { file: string }>): NumArray {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = ref.length;
  const end = ref.offset + n * (ref.dtype === 'float64' ? 8 : 4);
  if (end > bytes.byteLength) throw new RangeError(`golden: ${ref.file} has ${bytes.byteLength} bytes, array needs ${end}`);
  if (ref.dtype === 'float64') {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = dv.getFloat64(ref.offset + 8 * i, true);
    return out;
  }
  if (ref.dtype === 'int32') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = dv.getInt32(ref.offset + 4 * i, true);
    return out;
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = dv.getFloat32(ref.offset + 4 * i, true);
  return out;
}

function decodeMatrix(bytes: Uint8Array, name: string, expectLen: number): Float32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rows = dv.getInt32(0, true);
  const cols = dv.getInt32(4, true);
  if (rows * cols !== expectLen || bytes.byteLength !== 8 + 4 * rows * cols) {
    throw new RangeError(`golden: uwnet ${name} is ${rows}x${cols} (${bytes.byteLength} bytes), case needs ${expectLen} values`);
  }
  const out = new Float32Array(expectLen);
  for (let i = 0; i < expectLen; i++) out[i] = dv.getFloat32(8 + 4 * i, true);
  return out;
}

const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** The golden set behind a readFile function (Node: fs; browser: fetch). Loads .bin files lazily, once. */
export class GoldenStore {
  readonly manifest: GoldenManifest;
  #readFile: ReadFile;
  #readUwnet: ReadUwnet | null;
  #bins = new Map<string, Promise<Uint8Array>>();
  #uw = new Map<string, Promise<Uint8Array | null>>();

  constructor(manifest: GoldenManifest, readFile: ReadFile, readUwnet?: ReadUwnet | null) {
    if (manifest.format !== GOLDEN_FORMAT || manifest.version !== GOLDEN_VERSION) {
      throw new Error(`golden: unsupported format ${manifest.format} v${manifest.version} (this reader: ${GOLDEN_FORMAT} v${GOLDEN_VERSION})`);
    }
    this.manifest = manifest;
    this.#readFile = readFile;
    this.#readUwnet = readUwnet ?? null;
  }

  /** Reads manifest.json through readFile. */
  static async open(readFile: ReadFile, readUwnet?: ReadUwnet | null): Promise<GoldenStore> {
    const bytes = await readFile('manifest.json');
    return new GoldenStore(JSON.parse(new TextDecoder().decode(bytes)) as GoldenManifest, readFile, readUwnet);
  }

  listCases(filter?: CaseFilter): GoldenCase[] {
    return this.manifest.cases.filter((c) => matches(c, filter));
  }

  getCase(id: string): GoldenCase | undefined {
    return this.manifest.cases.find((c) => c.id === id);
  }

  /** Whether a case needs the uwnet course data. */
  static usesUwnet(c: GoldenCase): boolean {
    return [...Object.values(c.inputs), ...Object.values(c.expected)].some((r) => 'uwnet' in r);
  }

  /** Decodes a case's arrays, or returns {missing} naming the uwnet file that is not available. */
  async load(c: GoldenCase): Promise<CaseData | { missing: string }> {
    const get = async (ref: ArrayRef, what: string): Promise<NumArray | { missing: string }> => {
      if ('uwnet' in ref) {
        if (!this.#readUwnet) return { missing: `uwnet ${ref.uwnet} (no uwnet reader: ../shared/golden/uwnet absent)` };
        let p = this.#uw.get(ref.uwnet);
        if (!p) {
          p = this.#readUwnet(ref.uwnet);
          this.#uw.set(ref.uwnet, p);
        }
        const bytes = await p;
        if (!bytes) return { missing: `uwnet ${ref.uwnet}.matrix (../shared/golden/uwnet absent)` };
        return decodeMatrix(bytes, ref.uwnet, sizeOf(ref.shape));
      }
      let p = this.#bins.get(ref.file);
      if (!p) {
        p = this.#readFile(ref.file);
        this.#bins.set(ref.file, p);
      }
      const a = decode(await p, ref);
      if (a.length !== sizeOf(ref.shape)) throw new RangeError(`golden: ${c.id} ${what} has ${a.length} values for shape [${ref.shape}]`);
      return a;
    };
    const out: CaseData = { inputs: {}, expected: {} };
    for (const [k, r] of Object.entries(c.inputs)) {
      const a = await get(r, `input ${k}`);
      if ('missing' in a) return a;
      out.inputs[k] = a;
    }
    for (const [k, r] of Object.entries(c.expected)) {
      const a = await get(r, `expected ${k}`);
      if ('missing' in a) return a;
      out.expected[k] = a;
    }
    return out;
  }
}
