/**
 * A tiny protobuf encoder for single-op ONNX models (ModelProto with one GraphProto and one
 * NodeProto; float32, float64 or int64 inputs/outputs), written from onnx.proto's field numbers.
 */

class Writer {
  bytes: number[] = [];
  varint(v: number | bigint): this {
    let x = BigInt.asUintN(64, BigInt(v));
    do {
      let b = Number(x & 0x7fn);
      x >>= 7n;
      if (x > 0n) b |= 0x80;
      this.bytes.push(b);
    } while (x > 0n);
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }
  /** varint field (wire type 0) */
  int(field: number, v: number): this {
    return this.tag(field, 0).varint(v);
  }
  /** length-delimited field (wire type 2) */
  bytesField(field: number, b: Uint8Array | number[]): this {
    this.tag(field, 2).varint(b.length);
    for (const x of b) this.bytes.push(x);
    return this;
  }
  str(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }
  msg(field: number, m: Writer): this {
    return this.bytesField(field, m.bytes);
  }
  float(field: number, v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.tag(field, 5);
    for (const x of b) this.bytes.push(x);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** A float attribute (a plain number is written as an INT attribute). */
export interface FloatAttr {
  float: number;
}
export type AttrValue = number | number[] | string | FloatAttr;

/** Element types the encoder writes (TensorProto.DataType FLOAT = 1, INT64 = 7, DOUBLE = 11). */
export type ElemType = 'float32' | 'int64' | 'float64';
const ELEM: Record<ElemType, number> = { float32: 1, int64: 7, float64: 11 };

export interface ValueInfo {
  name: string;
  /** absent: no shape is written (onnxruntime infers it; fine for outputs) */
  shape?: number[];
  /** default 'float32' */
  type?: ElemType;
}

/** `{ float: v }`: marks an attribute value as FLOAT (epsilon, momentum). */
export const floatAttr = (v: number): FloatAttr => ({ float: v });

// AttributeProto.AttributeType
const FLOAT = 1;
const INT = 2;
const STRING = 3;
const INTS = 7;

function attribute(name: string, v: AttrValue): Writer {
  const a = new Writer().str(1, name); // name = 1
  if (typeof v === 'string') a.bytesField(4, new TextEncoder().encode(v)).int(20, STRING); // s = 4
  else if (Array.isArray(v)) {
    for (const x of v) a.int(8, x); // ints = 8 (unpacked is valid proto2/3 wire format)
    a.int(20, INTS);
  } else if (typeof v === 'object') a.float(2, v.float).int(20, FLOAT); // f = 2
  else a.int(3, v).int(20, INT); // i = 3
  return a;
}

function valueInfo(v: ValueInfo): Writer {
  const tensorType = new Writer().int(1, ELEM[v.type ?? 'float32']); // elem_type = 1
  if (v.shape) {
    const shape = new Writer();
    for (const d of v.shape) shape.msg(1, new Writer().int(1, d)); // TensorShapeProto.dim = 1 { dim_value = 1 }
    tensorType.msg(2, shape); // shape = 2
  }
  const type = new Writer().msg(1, tensorType); // TypeProto.tensor_type = 1
  return new Writer().str(1, v.name).msg(2, type); // ValueInfoProto name = 1, type = 2
}

export interface ModelOptions {
  /** default opset of the model; default 13 */
  opset?: number;
  /** ModelProto.ir_version; default 8 (opset 13-18); opset 19+ gets 9 unless given */
  irVersion?: number;
}

/** A model with one node `opType(inputs) -> outputs` (default opset 13, ir_version 8). */
export function singleOpModel(
  opType: string,
  inputs: ValueInfo[],
  outputs: ValueInfo[],
  attrs: Record<string, AttrValue> = {},
  opts: ModelOptions = {},
): Uint8Array {
  const opsetVersion = opts.opset ?? 13;
  const ir = opts.irVersion ?? (opsetVersion >= 19 ? 9 : 8);
  const node = new Writer();
  for (const i of inputs) node.str(1, i.name); // input = 1
  for (const o of outputs) node.str(2, o.name); // output = 2
  node.str(3, `${opType.toLowerCase()}0`).str(4, opType); // name = 3, op_type = 4
  for (const [k, v] of Object.entries(attrs)) node.msg(5, attribute(k, v)); // attribute = 5
  const graph = new Writer().msg(1, node).str(2, `convkit_${opType}`); // node = 1, name = 2
  for (const i of inputs) graph.msg(11, valueInfo(i)); // input = 11
  for (const o of outputs) graph.msg(12, valueInfo(o)); // output = 12
  const opset = new Writer().str(1, '').int(2, opsetVersion); // OperatorSetIdProto domain = 1, version = 2
  return new Writer()
    .int(1, ir) // ir_version = 1
    .str(2, 'convkit') // producer_name = 2
    .msg(7, graph) // graph = 7
    .msg(8, opset) // opset_import = 8
    .done();
}
