import { BackendError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { statePaths } from '../paths.js';
import { existsSync, promises as fs } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { defineCommand } from './define.js';

export const init = defineCommand({
  words: 'init',
  usage: '[--home DIR] [--policy FILE]',
  summary: 'create the state directory (0700), the local key (0600) and, if absent, a starter policy',
  example: 'rekey init',
  options: {},
  // it makes the state directory safe itself
  stateful: false,
  async run({ a, io, out, home }) {
    const [{ holdsSealedData, loadKey, restoreKeyHint }, { assertStateSafe, prepareStateDir }, { detectOpenclawCommand }, { STARTER_POLICY }] = await Promise.all([
      import('../../io/key-file.js'),
      import('../../io/state-dir.js'),
      import('../detect-openclaw.js'),
      import('../starter-policy.js'),
    ]);
    const p = statePaths(home);
    await prepareStateDir(p.home);
    await assertStateSafe(p.home);
    await fs.mkdir(p.store, { recursive: true, mode: 0o700 });
    // never a new key next to values an old one sealed: that loses them (and the rollback point)
    if (!io.env.REKEY_LOCAL_KEY && !existsSync(p.key) && (await holdsSealedData([p.store, p.snapshots]))) {
      throw new BackendError('STORE_KEY_MISSING', `the store ${p.store} holds values sealed with a key that is missing (${p.key}); init will not make a new key next to it`, { hint: restoreKeyHint(p.key) });
    }
    await loadKey(p.key, {}, { create: true });
    let wrote = false;
    let note = '';
    let verifier: string[] | null = null;
    if (!existsSync(a.global.policy)) {
      // the verifier runs the openclaw the Gateway unit runs, not whatever is on rekey's PATH
      verifier = await detectOpenclawCommand('openclaw-gateway.service', io.env);
      note = verifier
        ? `verifier: ${verifier.join(' ')} (the openclaw of openclaw-gateway.service's ExecStart=)\n`
        : 'verifier: [openclaw] — openclaw-gateway.service was not found; set verify.command to the openclaw your Gateway runs (it needs Node >= 24.16)\n';
      const text = verifier ? STARTER_POLICY.replace('command: [openclaw]', `command: ${JSON.stringify(verifier)}`) : STARTER_POLICY;
      try {
        await fs.mkdir(dirname(resolve(a.global.policy)), { recursive: true });
        await fs.writeFile(a.global.policy, text, { flag: 'wx', mode: 0o644 });
        wrote = true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    out(`state: ${p.home} (0700), key: ${p.key} (0600)\npolicy: ${resolve(a.global.policy)}${wrote ? ' (starter policy written)' : ' (exists, left as is)'}\n${note}`, { home: p.home, key: p.key, policy: resolve(a.global.policy), policyWritten: wrote, verifierCommand: verifier });
    return ExitCode.ok;
  },
});
