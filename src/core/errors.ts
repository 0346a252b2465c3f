// Errors that end a run. Each carries the exit code the CLI maps it to, and a one-line message
// that is safe to print (never a secret, never a stack trace).

export class UserError extends Error {
  readonly exitCode: number = 1;
  /** Files written before the run stopped (only to keep a value that exists nowhere else). */
  written?: string[];
  /** What the run left behind, when it is more than "Nothing was written" (e.g. after the files were written). */
  outcome?: string;
  /** The files this run changed before it stopped, as --json reports them (empty: nothing was written). */
  files?: { path: string; action: string }[];
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** Ctrl+C or Esc at a prompt or during a spinner. Nothing is written. Exit 130. */
export class Cancelled extends UserError {
  override readonly exitCode = 130;
  constructor(message = 'Cancelled. Nothing was written.') {
    super(message);
    this.name = 'Cancelled';
  }
}

/** Bad flags, unknown provider ids, required values missing in non-interactive mode. Exit 2. */
export class UsageError extends UserError {
  override readonly exitCode = 2;
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'UsageError';
  }
}

/** A live check failed. `message` is the one line shown to the user; `hint` says what to do. Exit 1. */
export class VerifyError extends UserError {
  constructor(message: string, hint?: string, readonly code?: string) {
    super(message, hint);
    this.name = 'VerifyError';
  }
}

/** A file could not be planned or written (read-only dir, unrepresentable value, symlink…). Exit 1. */
export class FileError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'FileError';
  }
}
