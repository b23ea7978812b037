import type { TensorLike } from './types.js';

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function need(cond: boolean, msg: string): void {
  if (!cond) throw new RangeError(`reference: ${msg}`);
}

export function shape4(t: TensorLike, name: string): [number, number, number, number] {
  need(t.shape.length === 4, `${name} must be rank 4, got [${t.shape.join(', ')}]`);
  need(t.data.length === sizeOf(t.shape), `${name} has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
  return [t.shape[0]!, t.shape[1]!, t.shape[2]!, t.shape[3]!];
}

export function shape2(t: TensorLike, name: string): [number, number] {
  need(t.shape.length === 2, `${name} must be rank 2, got [${t.shape.join(', ')}]`);
  need(t.data.length === sizeOf(t.shape), `${name} has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
  return [t.shape[0]!, t.shape[1]!];
}
