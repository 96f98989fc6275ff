import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createLocalBackend } from '../../providers/backends/local.js';
import { createMemoryBackend } from '../../providers/backends/memory.js';
import { secretBackendContract } from './secret-backend.contract.js';

secretBackendContract('memory (fake)', async () => ({ backend: createMemoryBackend(), ref: (n) => `t/${n}` }));

secretBackendContract('local (encrypted files)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rekey-local-'));
  const key = randomBytes(32);
  return { backend: createLocalBackend({ dir, key: async () => key, now: () => new Date() }), ref: (n) => `t/${n}` };
});
