import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { planRotation, tokenRole } from '../../plan/planner.js';
import { adopt } from '../../usecases/adopt.js';
import { pairedDevices, rotateDeviceToken } from '../../usecases/devices.js';
import { resolveIds, type ResolveRequest } from '../../usecases/resolve.js';
import { rotate } from '../../usecases/rotate.js';
import { renderDevices } from '../render.js';
import { resolve } from 'node:path';
import { type CommandContext, loadPolicy, requireSecret, str } from './context.js';

/** rekey openclaw adopt */
export async function adoptCmd({ a, io, out, depsFor, filter }: CommandContext): Promise<number> {
  const policy = await loadPolicy(a.global.policy, io.env.HOME);
  const r = await adopt(policy, requireSecret(a), filter, { dryRun: a.flags['dry-run'] === true, scrub: a.flags.scrub === true }, depsFor(policy));
  const human = [
    `${r.dryRun ? 'dry run: ' : ''}adopt ${r.secret} (${r.fingerprint})`,
    ...r.steps.map((s) => `  ${s.config}: plan ${s.planFile}; ${s.resolvable ? 'refs resolve' : 'refs do NOT resolve yet'}; ${r.dryRun ? 'would change' : 'changed'} ${s.changedFiles.join(', ') || 'nothing'}${s.warnings.length ? `; warnings: ${s.warnings.join('; ')}` : ''}`),
    ...Object.entries(r.verified).map(([t, d]) => `  ✓ ${t}: ${d}`),
    ...r.residue.map((h) => `  residue: ${h.file} holds a plaintext copy ${h.fingerprints.join(', ')}: ${h.removed ? 'removed' : 'still there (--scrub removes it)'}`),
  ].join('\n');
  out(human + '\n', r);
  return ExitCode.ok;
}

/** rekey openclaw resolve */
export async function resolveCmd({ a, io, depsFor, log }: CommandContext): Promise<number> {
  // an OpenClaw exec secrets provider: JSON request on stdin, JSON response on stdout, nothing else there
  let req: ResolveRequest;
  try {
    req = JSON.parse((await io.readStdin()).toString('utf8')) as ResolveRequest;
    if (!Array.isArray(req.ids) || req.ids.some((x) => typeof x !== 'string')) throw new Error('ids');
  } catch {
    throw new UsageError('RESOLVE_BAD_REQUEST', 'rekey openclaw resolve reads {"protocolVersion":1,"ids":[…]} on stdin (OpenClaw exec SecretRef protocol)');
  }
  if (req.protocolVersion !== 1) throw new UsageError('RESOLVE_PROTOCOL', `protocolVersion ${String(req.protocolVersion)} is not supported (1 is)`);
  const policy = await loadPolicy(a.global.policy, io.env.HOME);
  const { fingerprints, ...res } = await resolveIds(policy, req, depsFor(policy));
  for (const [id, fp] of Object.entries(fingerprints)) log.info({ id, fingerprint: fp }, 'resolved for OpenClaw');
  io.stdout(JSON.stringify(res) + '\n');
  return ExitCode.ok;
}

/** rekey openclaw devices */
export async function devicesCmd({ a, io, out, depsFor, filter }: CommandContext): Promise<number> {
  const policy = await loadPolicy(a.global.policy, io.env.HOME);
  const deps = depsFor(policy);
  const plan = planRotation(policy, requireSecret(a), filter, deps.planContext);
  const server = plan.targets.find((t) => tokenRole(t, deps.planContext.adapters) === 'server');
  if (!server) throw new UsageError('NO_SERVER_TARGET', `secret "${plan.secret}" has no Gateway-token delivery to a server on this host`, { hint: 'devices belong to a Gateway: name a gateway-token secret with a role: server delivery' });
  const device = str(a.flags.rotate);
  if (device) {
    const role = str(a.flags.role);
    if (!role) throw new UsageError('BAD_ARGUMENTS', 'rekey openclaw devices --rotate ID needs --role (e.g. operator, node)');
    const r = await rotateDeviceToken(plan, server, device, role, deps);
    out(`rotated the ${role} token of device ${device} (the device re-authenticates with it; a shared-token caller never receives it)\n`, { device, role, result: r });
    return ExitCode.ok;
  }
  const devices = await pairedDevices(plan, deps);
  out(renderDevices(devices) || 'no Gateway-token server target\n', { pairedDevices: devices });
  return ExitCode.ok;
}
