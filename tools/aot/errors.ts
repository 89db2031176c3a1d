// Errors that the compiler reports to its user. Each names the reason and,
// where one exists, the byte offset in the input module.

export class CompileError extends Error {
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(
      offset === undefined
        ? message
        : `${message} at byte offset ${offset} (0x${offset.toString(16)})`,
    );
    this.name = "CompileError";
  }
}

// A module that does not follow the binary format (wasm spec 5).
export class MalformedError extends CompileError {}

// A well-formed module that fails validation (wasm spec 3).
export class InvalidError extends CompileError {}

// A valid module that uses a feature or import this compiler does not
// support.
export class UnsupportedError extends CompileError {}
