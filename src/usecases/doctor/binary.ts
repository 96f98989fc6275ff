/**
 * Check 3, the binary split: the openclaw a unit runs vs the one on the operator's PATH, and vs
 * the one the policy's verifier runs. Different versions read different credential stores
 * (auth-profiles.json vs SQLite), so a manual check, or a verification, can disagree with the service.
 */
import { openclawOf } from '../../core/target.js';
import { finding, type Finding } from './codes.js';
import { openclawPrefix, type DoctorContext } from './context.js';

export async function binaryChecks(c: DoctorContext): Promise<Finding[]> {
  const out: Finding[] = [];
  const { host, openclaw, signal } = { host: c.deps.host, openclaw: c.deps.openclaw, signal: c.deps.signal };
  const version = (cmd: string[]) => c.bound(openclaw.version(cmd, signal), `${cmd.join(' ')} --version`);
  const onPath = await host.which('openclaw', c.searchPath);
  const targets = c.plans.flatMap((p) => p.targets);
  for (const u of await c.units()) {
    if (!u.openclaw) continue;
    const unitBin = await host.realpath(u.openclaw.at(-1)!);
    const node = u.openclaw.length > 1 ? u.openclaw[0]! : null;
    if (!onPath) {
      out.push(finding('OPENCLAW_NOT_ON_PATH', 'host', u.unit, `no openclaw on your PATH; ${u.unit} runs ${u.openclaw.join(' ')}`, `${u.openclaw.join(' ')} models status --json  # the unit's own openclaw`, { unit: u.unit, unitOpenclaw: unitBin }));
    } else if (onPath !== unitBin) {
      const [mine, theirs] = await Promise.all([version(u.openclaw), version([onPath])]);
      if (mine !== theirs) {
        out.push(
          finding('OPENCLAW_BINARY_SPLIT', 'host', u.unit, `${u.unit} runs ${unitBin} (${mine ?? 'does not run'}), your PATH has ${onPath} (${theirs ?? 'does not run'})`, `${u.openclaw.join(' ')} models status  # check with the unit's openclaw, or fix PATH / ExecStart= so both are one install`, {
            unit: u.unit,
            unitOpenclaw: unitBin,
            unitVersion: mine ?? 'does not run',
            ...(node ? { unitNode: node } : {}),
            pathOpenclaw: onPath,
            pathVersion: theirs ?? 'does not run',
          }),
        );
      }
    }
    // the verifiers of this unit's targets
    const verifiers = new Map<string, string[]>();
    for (const t of targets) {
      const cmd = t.service?.unit === u.unit ? openclawOf(t)?.command : undefined;
      const prefix = cmd ? openclawPrefix(cmd) ?? cmd : undefined;
      if (!prefix) continue;
      // a bare name runs whatever PATH finds first (rekey's children get the operator's PATH)
      const word = prefix.at(-1)!;
      const bin = word.includes('/') ? await host.realpath(word) : await host.which(word, c.searchPath);
      if (bin) verifiers.set(bin, prefix);
    }
    for (const [bin, cmd] of verifiers) {
      if (bin === unitBin) continue;
      const [mine, theirs] = await Promise.all([version(u.openclaw), version(cmd)]);
      if (mine === theirs) continue;
      out.push(finding('VERIFIER_BINARY_SPLIT', 'host', u.unit, `the policy verifies ${u.unit}'s consumers with ${bin} (${theirs ?? 'does not run'}), the unit runs ${unitBin} (${mine ?? 'does not run'})`, `rekey policy check  # set the verifier's command: ${JSON.stringify(u.openclaw)}`, { unit: u.unit, unitOpenclaw: unitBin, unitVersion: mine ?? 'does not run', verifierOpenclaw: bin, verifierVersion: theirs ?? 'does not run' }));
    }
  }
  return out;
}
