/**
 * Which window options are legal, decided independently of core: output sizes from
 * @convkit/reference's geometry (its own implementation of CONVENTIONS.md) and the PyTorch pad
 * limits (reflect: pad <= size - 1, circular: pad <= size) written out here.
 */
import { refOutputSize, type RefAxis } from '@convkit/reference';

export type PadMode = 'zeros' | 'replicate' | 'circular' | 'reflect';
export type Padding = 'same' | 'valid' | number | readonly [number, number, number, number];

export interface WindowSpec {
  H: number;
  W: number;
  kH: number;
  kW: number;
  stride: readonly [number, number];
  dilation: readonly [number, number];
  padding: Padding;
  padMode?: PadMode;
  ceilMode?: boolean;
}

function split(p: Padding): ['same' | 'valid' | [number, number], 'same' | 'valid' | [number, number]] {
  if (p === 'same' || p === 'valid') return [p, p];
  if (typeof p === 'number') return [[p, p], [p, p]];
  return [
    [p[0], p[1]],
    [p[2], p[3]],
  ];
}

export interface WindowAxes {
  h: RefAxis;
  w: RefAxis;
}

export function axes(s: WindowSpec): WindowAxes {
  const [ph, pw] = split(s.padding);
  return {
    h: refOutputSize(s.H, s.kH, s.stride[0], s.dilation[0], ph, !!s.ceilMode),
    w: refOutputSize(s.W, s.kW, s.stride[1], s.dilation[1], pw, !!s.ceilMode),
  };
}

/** null when legal, else why not. */
export function whyInvalid(s: WindowSpec): string | null {
  if (s.ceilMode && s.padding === 'same') return "ceilMode with 'same'";
  const { h, w } = axes(s);
  if (h.out <= 0 || w.out <= 0) return 'no window fits';
  const mode = s.padMode ?? 'zeros';
  if (mode === 'reflect' || mode === 'circular') {
    const limH = mode === 'reflect' ? s.H - 1 : s.H;
    const limW = mode === 'reflect' ? s.W - 1 : s.W;
    if (h.before > limH || h.after > limH || w.before > limW || w.after > limW) return `${mode} pad larger than the image allows`;
  }
  return null;
}
