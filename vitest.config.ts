import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Longest files first (measured on this 2-core machine, clean run), so the two workers end
 * together instead of one running a long real-Gateway file alone at the end. Unlisted files
 * (unit, contract: seconds each) come after, in vitest's own order.
 */
const LONGEST_FIRST = [
  'auth-profile-rotation',
  'doctor',
  'issuer-retire',
  'keychain-rotation',
  'rotation-scenarios',
  'revoke-many',
  'schedule',
  'gateway-token-rotation',
  'gateway-rotation',
  'secretref-rotation',
  'demo',
  'issuer-mint-openai',
  'crash-resume',
  'leaks',
  'aws-rotation',
  'cli-state-safety',
  'crash-rollback',
  'concurrency',
  'vault-rotation',
  'hostile-fs',
  'env-file-systemd',
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = LONGEST_FIRST.findIndex((name) => f.moduleId.endsWith(`/${name}.test.ts`));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    return base.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map((x) => x.f);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/reliability/summary.ts'],
    // integration tests share one systemd user manager per file and spawn real processes; the
    // limits only stop a hang: a busy 2-core machine runs a real-Gateway test 2-3x slower than idle
    testTimeout: 900_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
  },
});
