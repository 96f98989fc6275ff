import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemorySink } from '../../providers/sinks/memory.js';
import { createSystemdEnvFileSink } from '../../providers/sinks/systemd-env-file.js';
import { sinkContract } from './sink.contract.js';
import { createOpenclawSecretrefFileSink } from '../../providers/sinks/openclaw-secretref-file.js';
import { createExec } from '../../src/io/exec.js';
import { envFileTarget } from '../harness/targets.js';


sinkContract('memory (fake)', async () => ({ sink: createMemorySink(), target: envFileTarget('/nowhere') }));

sinkContract('systemd-env-file (real files)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rekey-sink-'));
  return { sink: createSystemdEnvFileSink(), target: envFileTarget(join(dir, 'gateway.systemd.env')) };
});

sinkContract('openclaw-secretref-file (real file; a stand-in `secrets reload` that succeeds)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rekey-secretref-'));
  const okReload = [process.execPath, '-e', 'console.log(JSON.stringify({ ok: true, warningCount: 0 }))'];
  const sink = createOpenclawSecretrefFileSink({ exec: createExec(), baseEnv: {} });
  const target = envFileTarget(join(dir, 'secrets.json'), {
    sink: { kind: 'openclaw-secretref-file', path: join(dir, 'secrets.json'), pointer: '/providers/anthropic/apiKey', secretsProvider: 'rekey', command: okReload, timeoutMs: 10_000 },
  });
  return { sink, target };
});
