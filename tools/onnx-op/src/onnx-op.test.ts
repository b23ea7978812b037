import { describe, expect, it } from 'vitest';
import { floatAttr, loadOrt, runOnnxOp, singleOpModel } from './index.js';

describe('singleOpModel', () => {
  it('writes ir_version, the opset and the op type', () => {
    const m = singleOpModel('MatMul', [{ name: 'a', shape: [2, 3] }, { name: 'b', shape: [3, 4] }], [{ name: 'c', shape: [2, 4] }]);
    expect([...m.slice(0, 2)]).toEqual([0x08, 8]); // field 1 varint = 8
    expect(new TextDecoder().decode(m)).toContain('MatMul');
    const m19 = singleOpModel('AveragePool', [{ name: 'x' }], [{ name: 'y' }], {}, { opset: 19 });
    expect([...m19.slice(0, 2)]).toEqual([0x08, 9]);
    // OperatorSetIdProto { domain = "", version = 19 } is the model's last field
    expect([...m19.slice(-4)]).toEqual([0x0a, 0x00, 0x10, 19]);
  });
  it('FLOAT attributes carry the float32 bytes (field 2, wire type 5)', () => {
    const m = singleOpModel('LeakyRelu', [{ name: 'x', shape: [1] }], [{ name: 'y', shape: [1] }], { alpha: floatAttr(0.5) });
    const bytes = [...m];
    const at = bytes.findIndex((b, i) => b === 0x15 && bytes[i + 1] === 0 && bytes[i + 2] === 0 && bytes[i + 3] === 0 && bytes[i + 4] === 0x3f);
    expect(at).toBeGreaterThan(0); // 0.5f = 00 00 00 3f
  });
});

const loaded = await loadOrt();
const skip = 'error' in loaded ? loaded.error : null;
if (skip) console.warn(`[onnx-op] !!! onnxruntime tests SKIPPED: ${skip}`);

describe.skipIf(skip !== null)('runOnnxOp on onnxruntime-node', () => {
  it('broadcasting Add, a FLOAT attribute and an int64 output', async () => {
    const add = await runOnnxOp('Add', { a: { data: [1, 2, 3, 4], shape: [2, 2] }, b: { data: [10, 20], shape: [2] } }, ['y']);
    expect(add.y!.shape).toEqual([2, 2]);
    expect(Array.from(add.y!.data)).toEqual([11, 22, 13, 24]);
    const lr = await runOnnxOp('LeakyRelu', { x: { data: [-2, 3], shape: [2] } }, ['y'], { alpha: floatAttr(0.25) });
    expect(Array.from(lr.y!.data)).toEqual([-0.5, 3]);
    const mp = await runOnnxOp('MaxPool', { x: { data: [1, 5, 2, 4], shape: [1, 1, 4] } }, ['y', { name: 'i', type: 'int64' }], { kernel_shape: [2], strides: [2] });
    expect(Array.from(mp.y!.data)).toEqual([5, 4]);
    expect(Array.from(mp.i!.data)).toEqual([1, 3]);
    expect(mp.i!.type).toBe('int64');
  });
  it('float64 inputs and a rejected model throws', async () => {
    const r = await runOnnxOp('Mul', { a: { data: [0.1], shape: [1], type: 'float64' }, b: { data: [3], shape: [1], type: 'float64' } }, [{ name: 'y', type: 'float64' }]);
    expect(r.y!.data[0]).toBe(0.1 * 3);
    await expect(runOnnxOp('NoSuchOp', { x: { data: [1], shape: [1] } }, ['y'])).rejects.toThrow();
  });
});
