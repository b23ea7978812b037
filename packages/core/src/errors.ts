/** Base class of every error convkit throws on purpose. */
export class ConvkitError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type ShapeMap = Record<string, readonly number[] | undefined>;

function fmtShape(s: readonly number[] | undefined): string {
  return s === undefined ? 'none' : `[${s.join(', ')}]`;
}

/**
 * Bad input, found before any work starts. Names the op, the argument, what was expected and
 * what was received, and lists the shapes of every tensor argument the op got.
 */
export class ValidationError extends ConvkitError {
  readonly op: string;
  readonly arg: string;
  readonly expected: string;
  readonly received: string;
  readonly shapes: ShapeMap;
  constructor(op: string, arg: string, expected: string, received: string, shapes: ShapeMap = {}) {
    const shapeText = Object.entries(shapes)
      .map(([k, v]) => `${k}=${fmtShape(v)}`)
      .join(', ');
    super(
      `${op}: invalid argument '${arg}': expected ${expected}, received ${received}` +
        (shapeText ? ` (shapes: ${shapeText})` : ''),
    );
    this.op = op;
    this.arg = arg;
    this.expected = expected;
    this.received = received;
    this.shapes = shapes;
  }
}

/** A tensor was used after dispose(). */
export class DisposedTensorError extends ValidationError {}

/** A tensor owned by one backend (or another context of the same backend) was passed to an op of another. */
export class BackendMismatchError extends ValidationError {}

/** A Context was used (an op, `tensor`, `zeros`) after its `dispose()`. */
export class DisposedContextError extends ValidationError {}

/**
 * An options object (an op's options or `backendOptions`) holds a key the callee does not know,
 * e.g. `{ paddding: 0 }`. `key` is the unknown key, `suggestion` the nearest valid one by edit
 * distance (undefined when the callee takes no options), `known` every valid key.
 */
export class UnknownOptionError extends ValidationError {
  readonly key: string;
  readonly suggestion: string | undefined;
  readonly known: readonly string[];
  constructor(op: string, arg: string, key: string, known: readonly string[], suggestion: string | undefined, shapes: ShapeMap = {}) {
    super(
      op,
      arg,
      known.length === 0
        ? 'no options'
        : `one of ${known.join(', ')}${suggestion !== undefined ? ` (did you mean '${suggestion}'?)` : ''}`,
      `unknown option '${key}'`,
      shapes,
    );
    this.key = key;
    this.suggestion = suggestion;
    this.known = known;
  }
}

/** Element count (or byte size) of a requested tensor does not fit the backend's address space. */
export class ShapeOverflowError extends ValidationError {}

/** The selected backend declares that it does not implement an op. Nothing ran elsewhere. */
export class NotImplementedError extends ConvkitError {
  readonly op: string;
  readonly backend: string;
  constructor(op: string, backend: string) {
    super(`${op}: not implemented by backend '${backend}' (see its capabilities)`);
    this.op = op;
    this.backend = backend;
  }
}

/** No registered backend could be created, or the named one is unknown or unavailable. */
export class BackendUnavailableError extends ConvkitError {}

/**
 * A backend failed while executing (a worker died, a GL context was lost, an allocation failed).
 * The op's outputs were not produced; inputs, parameters and velocities are unchanged unless the
 * backend says otherwise in `partialWrite`.
 */
export class BackendExecutionError extends ConvkitError {
  readonly op: string;
  readonly backend: string;
  constructor(op: string, backend: string, message: string, options?: { cause?: unknown }) {
    super(`${op}: backend '${backend}' failed: ${message}`, options);
    this.op = op;
    this.backend = backend;
  }
}
