import { ExitCode } from './exit-codes.js';

export interface ErrorDetails {
  /** dot-paths, refs, fingerprints: never values */
  readonly [key: string]: unknown;
}

/** Base class: a stable code, the exit code, a message naming refs and fingerprints only. */
export class RekeyError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly details: ErrorDetails;
  readonly hint: string | undefined;

  constructor(
    code: string,
    exitCode: ExitCode,
    message: string,
    opts: { cause?: unknown; details?: ErrorDetails; hint?: string } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
    this.details = opts.details ?? {};
    this.hint = opts.hint;
  }

  toJSON(): Record<string, unknown> {
    return { error: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

type Opts = ConstructorParameters<typeof RekeyError>[3];

export class UsageError extends RekeyError {
  constructor(code: string, message: string, opts?: Opts) {
    super(code, ExitCode.usage, message, opts);
  }
}

export interface PolicyIssue {
  path: string;
  message: string;
  hint?: string;
}

export class PolicyError extends RekeyError {
  readonly issues: PolicyIssue[];
  constructor(file: string, issues: PolicyIssue[]) {
    super('POLICY_INVALID', ExitCode.usage, `policy ${file} has ${issues.length} problem(s)`, { details: { file, issues } });
    this.issues = issues;
  }
}

/** A precondition that makes going on unsafe: lock held, symlink, permissions, shadowing. */
export class UnsafeError extends RekeyError {
  constructor(code: string, message: string, opts?: Opts) {
    super(code, ExitCode.unsafe, message, opts);
  }
}

export class BackendError extends RekeyError {
  readonly retryable: boolean;
  constructor(code: string, message: string, opts: Opts & { retryable?: boolean } = {}) {
    super(code, ExitCode.backend, message, opts);
    this.retryable = opts.retryable ?? false;
  }
}

/** A sink write, restart or verification failed; the runner turns it into a rollback. */
export class DeliveryError extends RekeyError {
  constructor(code: string, message: string, opts?: Opts) {
    super(code, ExitCode.verificationFailedRolledBack, message, opts);
  }
}

export class VerificationFailedError extends RekeyError {
  constructor(message: string, opts?: Opts) {
    super('VERIFICATION_FAILED_ROLLED_BACK', ExitCode.verificationFailedRolledBack, message, opts);
  }
}

export class RollbackFailedError extends RekeyError {
  constructor(message: string, opts?: Opts) {
    super('ROLLBACK_FAILED', ExitCode.rollbackFailed, message, opts);
  }
}

export class InternalError extends RekeyError {
  constructor(message: string, opts?: Opts) {
    super('INTERNAL', ExitCode.internal, message, opts);
  }
}

export function isRekeyError(e: unknown): e is RekeyError {
  return e instanceof RekeyError;
}

/** A message safe to print for any thrown thing (adapters sanitise their own errors first). */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
