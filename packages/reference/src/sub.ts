import { broadcastBinary, checkTensor, refBroadcastShape, refReduceTo } from './broadcast.js';
import type { RefTensor, TensorLike } from './types.js';
import { need } from './util.js';

/** y = a - b with numpy broadcasting (ONNX Sub; see refBroadcastShape). */
export function refSub(a: TensorLike, b: TensorLike): RefTensor {
  return broadcastBinary(a, b, (x, y) => x - y);
}

/** Gradients of refSub: da = dy summed to a's shape, db = -dy summed to b's shape. */
export function refSubBackward(dy: TensorLike, aShape: readonly number[], bShape: readonly number[]): { da: RefTensor; db: RefTensor } {
  checkTensor(dy, 'dy');
  const s = refBroadcastShape(aShape, bShape);
  need(s.join() === dy.shape.join(), `dy must be [${s.join(', ')}], got [${dy.shape.join(', ')}]`);
  const db = refReduceTo(dy, bShape);
  for (let i = 0; i < db.data.length; i++) db.data[i] = -db.data[i]!;
  return { da: refReduceTo(dy, aShape), db };
}
