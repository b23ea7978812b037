import { broadcastBinary, broadcastIndex, checkTensor, refBroadcastShape, refReduceTo } from './broadcast.js';
import type { RefTensor, TensorLike } from './types.js';
import { need } from './util.js';

/** y = a * b with numpy broadcasting (ONNX Mul; see refBroadcastShape). */
export function refMul(a: TensorLike, b: TensorLike): RefTensor {
  return broadcastBinary(a, b, (x, y) => x * y);
}

/** Gradients of refMul: da = (dy * b) summed to a's shape, db = (dy * a) summed to b's shape. */
export function refMulBackward(a: TensorLike, b: TensorLike, dy: TensorLike): { da: RefTensor; db: RefTensor } {
  checkTensor(a, 'a');
  checkTensor(b, 'b');
  checkTensor(dy, 'dy');
  const s = refBroadcastShape(a.shape, b.shape);
  need(s.join() === dy.shape.join(), `dy must be [${s.join(', ')}], got [${dy.shape.join(', ')}]`);
  const ia = broadcastIndex(a.shape, s);
  const ib = broadcastIndex(b.shape, s);
  const ga = new Float64Array(ia.length);
  const gb = new Float64Array(ia.length);
  for (let i = 0; i < ia.length; i++) {
    ga[i] = dy.data[i]! * b.data[ib[i]!]!;
    gb[i] = dy.data[i]! * a.data[ia[i]!]!;
  }
  return { da: refReduceTo({ data: ga, shape: s }, a.shape), db: refReduceTo({ data: gb, shape: s }, b.shape) };
}
