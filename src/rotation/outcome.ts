import { ExitCode } from '../core/exit-codes.js';
import type { RotationState } from './state.js';
import type { Terminal } from './transitions.js';

/** A rotation's end → exit code (the CLI entry applies it) and the human-facing summary. */
export function outcomeExit(outcome: Terminal, s: RotationState): ExitCode {
  switch (outcome) {
    case 'promoted':
      return ExitCode.ok;
    case 'rolled-back':
    case 'rolled-back-unclean':
      // a backend refusal (stage/promote) is a backend error; anything else failed delivery or
      // verification. Another writer's value found current at promote (AWS) is kept, and the
      // consumers rolled back to what they verified: the rotation did not happen, as for exit 5.
      if (s.failure?.code === 'CURRENT_MOVED') return ExitCode.verificationFailedRolledBack;
      return s.failure?.phase === 'stage' || s.failure?.phase === 'promote' ? ExitCode.backend : ExitCode.verificationFailedRolledBack;
    case 'incomplete':
      return ExitCode.backend;
    case 'rollback-failed':
      return ExitCode.rollbackFailed;
  }
}

export function outcomeMessage(outcome: Terminal, secret: string, s: RotationState): string {
  const why = (s.failure ? `${s.failure.phase} ${s.failure.item}: ${s.failure.reason}` : 'interrupted before promote').replace(/[.\s]+$/, '');
  switch (outcome) {
    case 'promoted':
      return `rotated ${secret}: every target verified, new version promoted`;
    case 'rolled-back':
      return s.failure
        ? `rotation of ${secret} was rolled back; consumers hold the old credential and it verified. Cause: ${why}`
        : `rotation of ${secret} was interrupted before promote and has been rolled back (exit 5: it did not complete); consumers hold the old credential and it verified`;
    case 'rolled-back-unclean':
      return `rotation of ${secret} was rolled back; consumers hold the old credential and it verified, but the new version could not be discarded from the backend. Cause: ${why}. Run \`rekey resume\` once the backend is reachable.`;
    case 'incomplete':
      return `rotation of ${secret} verified everywhere but promote did not finish (${why}). Consumers hold the new credential. Run \`rekey resume\` to finish it.`;
    case 'rollback-failed':
      return `ROLLBACK FAILED for ${secret}: ${why}. A human is needed: fix the cause named above, then run \`rekey resume\` to retry the rollback (see \`rekey status ${secret}\`).`;
  }
}
