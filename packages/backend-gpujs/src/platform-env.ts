/** True in Node (not a browser, not a bundle with a DOM shim). */
export const isNode =
  typeof process !== 'undefined' && !!(process as { versions?: { node?: string } }).versions?.node &&
  typeof (globalThis as { document?: unknown }).document === 'undefined';
