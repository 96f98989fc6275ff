/** The one exit-code table. The README documents it; only the CLI entry maps errors to it. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  unsafe: 3,
  backend: 4,
  verificationFailedRolledBack: 5,
  rollbackFailed: 6,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_MEANINGS: Record<ExitCode, string> = {
  0: 'ok (or: nothing to do)',
  1: 'internal error (a bug: please report with the log)',
  2: 'usage or policy error: nothing was changed',
  3: 'unsafe precondition refused (lock held, symlink, permissions, shadowed source, unit does not read the file): nothing was changed',
  4: 'backend error (secret manager unreachable, denied, conflict); rolled back if anything had been delivered',
  5: 'verification failed: every consumer was rolled back to the old credential and it verified',
  6: 'rollback failed or a rotation is stuck: a human is needed (the message names what to do)',
};
