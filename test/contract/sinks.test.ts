import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemorySink } from '../../providers/sinks/memory.js';
import { createSystemdEnvFileSink } from '../../providers/sinks/systemd-env-file.js';
import { sinkContract } from './sink.contract.js';
import { envFileTarget } from '../harness/targets.js';


sinkContract('memory (fake)', async () => ({ sink: createMemorySink(), target: envFileTarget('/nowhere') }));

sinkContract('systemd-env-file (real files)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rekey-sink-'));
  return { sink: createSystemdEnvFileSink(), target: envFileTarget(join(dir, 'gateway.systemd.env')) };
});
