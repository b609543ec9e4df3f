/** Every error Glassbox raises on purpose is a GlassboxError with a stable `code`. */
export class GlassboxError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The ONNX graph uses an op (or op form) the runtime does not implement. */
export class UnsupportedOpError extends GlassboxError {
  constructor(
    readonly opType: string,
    readonly nodeName: string,
    readonly opset: number,
    detail = '',
  ) {
    super('unsupported_op', `unsupported ONNX op ${opType} (node "${nodeName}", opset ${opset})${detail ? `: ${detail}` : ''}`);
  }
}

/** The user's input cannot be explained as given (empty text, too long, unknown label...). */
export class InvalidInputError extends GlassboxError {
  constructor(message: string, code = 'invalid_input') {
    super(code, message);
  }
}

/** A model file is missing, unreadable or malformed. */
export class ModelLoadError extends GlassboxError {
  constructor(message: string) {
    super('model_load', message);
  }
}

/** A forward or backward pass produced NaN or ±Infinity; `tensor` is the first value that did. */
export class NonFiniteError extends GlassboxError {
  constructor(
    readonly tensor: string,
    message: string,
  ) {
    super('non_finite', message);
  }
}
