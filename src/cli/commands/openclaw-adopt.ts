import { ExitCode } from '../../core/exit-codes.js';
import { AGENT, defineCommand, ENV, SCRUB } from './define.js';
import { loadPolicy, requireSecret } from './context.js';

export const openclawAdopt = defineCommand({
  words: 'openclaw adopt',
  usage: '<secret> [--env E] [--agent A] [--dry-run] [--scrub]',
  summary: "point OpenClaw's provider key at rekey's SecretRef file (openclaw secrets apply), verify, promote",
  example: 'rekey openclaw adopt anthropic --dry-run',
  options: { env: ENV, agent: AGENT, 'dry-run': { type: 'boolean', help: 'validate the plan only' }, scrub: { ...SCRUB, help: 'remove backups holding the plaintext key' } },
  stateful: true,
  async run({ a, io, out, depsFor, filter }, opts) {
    const { adopt } = await import('../../usecases/adopt.js');
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const r = await adopt(policy, requireSecret(a), filter, { dryRun: opts['dry-run'] === true, scrub: opts.scrub === true }, depsFor(policy));
    const human = [
      `${r.dryRun ? 'dry run: ' : ''}adopt ${r.secret} (${r.fingerprint})`,
      ...r.steps.map((s) => `  ${s.config}: plan ${s.planFile}; ${s.resolvable ? 'refs resolve' : 'refs do NOT resolve yet'}; ${r.dryRun ? 'would change' : 'changed'} ${s.changedFiles.join(', ') || 'nothing'}${s.warnings.length ? `; warnings: ${s.warnings.join('; ')}` : ''}`),
      ...Object.entries(r.verified).map(([t, d]) => `  ✓ ${t}: ${d}`),
      ...r.residue.map((h) => `  residue: ${h.file} holds a plaintext copy ${h.fingerprints.join(', ')}: ${h.removed ? 'removed' : 'still there (--scrub removes it)'}`),
    ].join('\n');
    out(human + '\n', r);
    return ExitCode.ok;
  },
});
