import type { OpName } from '@convkit/core';

/** One kernel of core's KernelBackend interface, as the scaffold writes it. */
export interface OpSpec {
  op: OpName;
  /** file in src/ops/ (without .ts), one file per op as in every convkit backend */
  file: string;
  /** parameters after the storage, as TypeScript source */
  params: string;
  /** argument names, in order, to forward from the backend method */
  args: string;
  returns: string;
  /** core types the op file imports */
  types: string[];
  /** what the kernel computes, for its doc comment */
  doc: string[];
}

/** Every op of core's OP_NAMES with its kernel signature (packages/core/src/backend.ts). */
export const OP_SPECS: readonly OpSpec[] = [
  {
    op: 'gemm',
    file: 'gemm',
    params: 'a: DataId, b: DataId, c: DataId | null, bias: DataId | null, p: GemmParams',
    args: 'a, b, c, bias, p',
    returns: 'DataId',
    types: ['DataId', 'GemmParams'],
    doc: [
      'C = alpha * op(A) * op(B) + beta * C0 + bias, a new [m, n] float32 buffer.',
      'A is [m, k] ([k, m] when p.transA), B is [k, n] ([n, k] when p.transB), row-major;',
      'c is null when beta is 0; bias (length n) is added to every row.',
    ],
  },
  {
    op: 'im2col',
    file: 'im2col',
    params: 'x: DataId, p: Im2colParams',
    args: 'x, p',
    returns: 'DataId',
    types: ['DataId', 'Im2colParams'],
    doc: [
      'Columns [N, C*kH*kW, outH*outW]: row (c*kH + ky)*kW + kx, column oy*outW + ox holds',
      'x[n][c][oy*strideH + ky*dilationH - padTop][ox*strideW + kx*dilationW - padLeft], or the',
      'padding value (p.padMode: zeros, replicate, circular, reflect) outside the image.',
    ],
  },
  {
    op: 'col2im',
    file: 'col2im',
    params: 'cols: DataId, p: Im2colParams',
    args: 'cols, p',
    returns: 'DataId',
    types: ['DataId', 'Im2colParams'],
    doc: [
      'The adjoint of im2col: sums (+=) every column entry into a zeroed [N, C, inH, inW] image.',
      'Zero padding drops outside positions; replicate, circular and reflect add them into the',
      'in-image pixel they were read from.',
    ],
  },
  {
    op: 'conv2d',
    file: 'conv2d',
    params: 'x: DataId, w: DataId, bias: DataId | null, p: Conv2dParams',
    args: 'x, w, bias, p',
    returns: 'DataId',
    types: ['DataId', 'Conv2dParams'],
    doc: [
      'y [N, K, outH, outW] = cross-correlation of x [N, C, inH, inW] with w [K, C/groups, kH, kW]',
      '(+ bias [K] per output channel); p.flip asks for true convolution (kernel flipped in both axes).',
      'Any algorithm giving the same numbers is fine, e.g. im2col then gemm per image and group.',
    ],
  },
  {
    op: 'conv2dBackward',
    file: 'conv2d_backward',
    params: 'x: DataId, w: DataId, dy: DataId, p: Conv2dParams, wants: Conv2dBackwardWants',
    args: 'x, w, dy, p, wants',
    returns: 'Conv2dBackwardResult',
    types: ['DataId', 'Conv2dParams', 'Conv2dBackwardWants', 'Conv2dBackwardResult'],
    doc: [
      'Gradients of conv2d given dL/dy, only those `wants` asks for: db = sum of dy over batch and',
      'space; dw = sum over the batch of dy_i * im2col(x_i)^T; dx_i = col2im(w^T * dy_i).',
    ],
  },
  {
    op: 'maxpool2d',
    file: 'maxpool2d',
    params: 'x: DataId, p: MaxPool2dParams',
    args: 'x, p',
    returns: '{ y: DataId; indices: DataId }',
    types: ['DataId', 'MaxPool2dParams'],
    doc: [
      'Max of each window, y [N, C, outH, outW] float32, and an int32 buffer of the flat index into',
      'the whole input of each max. Outside positions are skipped (never padded); windows are',
      'scanned row-major with a strict greater-than (ties go to the first max); NaN wins.',
    ],
  },
  {
    op: 'maxpool2dBackward',
    file: 'maxpool2d_backward',
    params: 'dy: DataId, indices: DataId, p: MaxPool2dParams',
    args: 'dy, indices, p',
    returns: 'DataId',
    types: ['DataId', 'MaxPool2dParams'],
    doc: [
      'dx [N, C, inH, inW] starts at zero and dx[indices[o]] += dy[o] for every output o. Core has',
      'already checked that every index lies inside its own window (or is -1) before the call.',
    ],
  },
  {
    op: 'sgd',
    file: 'sgd',
    params: 'w: DataId, g: DataId, v: DataId, p: SgdParams',
    args: 'w, g, v, p',
    returns: 'void',
    types: ['DataId', 'SgdParams'],
    doc: ['In place, for each of p.size values: v = momentum*v + g + weightDecay*w; w = w - lr*v.'],
  },
  {
    op: 'relu',
    file: 'relu',
    params: 'x: DataId, size: number',
    args: 'x, size',
    returns: 'DataId',
    types: ['DataId'],
    doc: ['y = max(x, 0) over `size` values, in a new float32 buffer.'],
  },
  {
    op: 'reluBackward',
    file: 'relu_backward',
    params: 'x: DataId, dy: DataId, size: number',
    args: 'x, dy, size',
    returns: 'DataId',
    types: ['DataId'],
    doc: ['dx = dy where x > 0, else 0.'],
  },
  {
    op: 'softmaxCrossEntropy',
    file: 'softmax_xent',
    params: 'logits: DataId, labels: DataId, p: SoftmaxXentParams',
    args: 'logits, labels, p',
    returns: '{ loss: DataId; probs: DataId }',
    types: ['DataId', 'SoftmaxXentParams'],
    doc: [
      'Row softmax of logits [n, classes] (subtract the row max first) and the mean cross-entropy',
      'against int32 labels [n]: loss is a 1-element float32 buffer, probs [n, classes].',
    ],
  },
  {
    op: 'softmaxCrossEntropyBackward',
    file: 'softmax_xent_backward',
    params: 'probs: DataId, labels: DataId, p: SoftmaxXentParams',
    args: 'probs, labels, p',
    returns: 'DataId',
    types: ['DataId', 'SoftmaxXentParams'],
    doc: ['dlogits = (probs - onehot(labels)) / n.'],
  },
];
