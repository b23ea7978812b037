import { broadcastBinary, checkTensor, refBroadcastShape, refReduceTo } from './broadcast.js';
import type { RefTensor, TensorLike } from './types.js';
import { need } from './util.js';

/** y = a + b with numpy broadcasting (ONNX Add; see refBroadcastShape). */
export function refAdd(a: TensorLike, b: TensorLike): RefTensor {
  return broadcastBinary(a, b, (x, y) => x + y);
}

/** Gradients of refAdd: da = dy summed to a's shape, db = dy summed to b's shape. */
export function refAddBackward(dy: TensorLike, aShape: readonly number[], bShape: readonly number[]): { da: RefTensor; db: RefTensor } {
  checkTensor(dy, 'dy');
  const s = refBroadcastShape(aShape, bShape);
  need(s.join() === dy.shape.join(), `dy must be [${s.join(', ')}], got [${dy.shape.join(', ')}]`);
  return { da: refReduceTo(dy, aShape), db: refReduceTo(dy, bShape) };
}
