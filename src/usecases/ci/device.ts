/**
 * Gateway access for CI as a lease: the runner pairs a device of its own with the Gateway (its
 * own key pair; `openclaw node run`, or an operator client approved with narrow scopes), and
 * `rekey ci issue --device D` records that pairing as the runner's lease instead of handing it
 * the shared Gateway token. rekey never holds the device's token: OpenClaw returns a rotated
 * device token only to the device itself (a shared-token or admin caller never receives it), so
 * the lease is the pairing. Refused: a device not paired, one whose approval carries
 * `operator.admin` or `operator.pairing`, one leased to another runner. Its end revokes every
 * role's token (`openclaw devices revoke`) and removes the pairing (`openclaw devices remove`),
 * then checks `openclaw devices list` no longer shows it.
 */
import { UnsafeError, UsageError } from '../../core/errors.js';
import type { Target } from '../../core/target.js';
import { resolveTargets, tokenRole } from '../../plan/planner.js';
import type { Policy } from '../../policy/schema.js';
import { sortableId, type RekeyDeps } from '../context.js';
import { allLeases, assertRunnerId, leaseBook, leaseTtlMs, type LeaseRecord } from './lease-book.js';
import { leaseAudit } from './lease-audit.js';

/** scopes a CI device must never hold: they manage other devices and the Gateway itself */
const TOO_BROAD = ['operator.admin', 'operator.pairing'];

/** the Gateway (server-role target on this host) of a gateway-token secret */
export function gatewayOf(policy: Policy, secret: string, deps: Pick<RekeyDeps, 'planContext'>): Target {
  const sp = policy.secrets[secret];
  if (!sp) throw new UsageError('UNKNOWN_SECRET', `no secret "${secret}" in the policy`, { hint: `secrets: ${Object.keys(policy.secrets).join(', ')}` });
  if (sp.layer !== 'gateway-token') throw new UsageError('CI_DEVICE_NEEDS_GATEWAY', `--device leases a Gateway pairing: --secret must be the Gateway token secret, not ${secret} (${sp.layer})`);
  const ctx = deps.planContext;
  const server = resolveTargets(policy, secret, ctx).find((t) => tokenRole(t, ctx.adapters) === 'server' && (t.host === '*' || t.host === ctx.hostname));
  if (!server) throw new UsageError('CI_DEVICE_NO_GATEWAY', `secret ${secret} has no Gateway (server) delivery on this host: run rekey on the Gateway's host`);
  return server;
}

export async function issueDeviceLease(policy: Policy, req: { runner: string | undefined; secret: string | undefined; device: string; ttl: string; job?: string | undefined }, deps: RekeyDeps): Promise<LeaseRecord> {
  assertRunnerId(req.runner);
  const runner = req.runner;
  const gw = gatewayOf(policy, req.secret ?? '', deps);
  const ttlMs = leaseTtlMs(policy, req.ttl);
  if (!deps.openclaw) throw new UsageError('DEVICES_UNAVAILABLE', 'this build has no OpenClaw CLI port');
  await deps.audit.ready?.();
  const started = deps.clock.now().getTime();
  const { paired } = await deps.openclaw.devices(gw, deps.signal);
  const d = paired.find((x) => x.deviceId === req.device);
  if (!d) {
    throw new UnsafeError('CI_DEVICE_NOT_PAIRED', `device ${req.device} is not paired with the Gateway of ${gw.id}`, { hint: "pair the runner's own device first (openclaw node run, or approve its request), then: openclaw devices list" });
  }
  const broad = (d.scopes ?? []).filter((s) => TOO_BROAD.includes(s));
  if (broad.length) {
    throw new UnsafeError('CI_DEVICE_TOO_BROAD', `device ${req.device} is approved for ${broad.join(', ')}: a CI runner must not manage devices or the Gateway`, { hint: `openclaw devices remove ${req.device}, then approve its pairing again with narrow scopes (e.g. operator.read)` });
  }
  const held = (await allLeases(policy, deps)).find((l) => l.source === 'device' && l.upstreamId === req.device);
  if (held) throw new UnsafeError('CI_VALUE_HELD', `device ${req.device} is already lease ${held.id} of runner ${held.runner}`, { hint: `rekey ci revoke ${held.id}` });
  const now = deps.clock.now();
  const lease: LeaseRecord = {
    id: `lease-${sortableId(deps, 6)}`,
    runner,
    job: req.job ?? null,
    secret: gw.secret,
    env: gw.env,
    backend: gw.backend,
    ref: `device:${req.device}`,
    fingerprint: `device ${req.device.slice(0, 12)}… (${d.roles.join(', ') || 'no role'})`,
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
    source: 'device',
    issuer: null,
    upstreamId: req.device,
    providerExpiresAt: null,
    roles: d.roles,
  };
  await leaseBook(policy, gw.backend, deps).add(lease);
  await deps.audit.append(leaseAudit('ci-issue', 'leased', lease, 'gateway-token', deps, started, { probe: `paired with roles ${d.roles.join(', ') || 'none'}, scopes ${(d.scopes ?? []).join(', ') || 'none'}` }));
  deps.log.info({ lease: lease.id, runner, device: req.device, roles: d.roles, expiresAt: lease.expiresAt }, 'ci device lease recorded');
  return lease;
}

/** revoke every role's token, remove the pairing, and check the Gateway no longer lists it */
export async function endDevice(policy: Policy, l: LeaseRecord, deps: RekeyDeps): Promise<{ upstream: string; probe: string; ended: boolean }> {
  if (!deps.openclaw || !l.upstreamId) return { upstream: 'not asked: no OpenClaw CLI port', probe: 'not asked', ended: false };
  const gw = gatewayOf(policy, l.secret, deps);
  const device = l.upstreamId;
  const before = (await deps.openclaw.devices(gw, deps.signal)).paired.find((x) => x.deviceId === device);
  if (before) {
    for (const role of before.roles) await deps.openclaw.revokeDevice(gw, device, role, deps.signal);
    await deps.openclaw.removeDevice(gw, device, deps.signal);
  }
  const after = (await deps.openclaw.devices(gw, deps.signal)).paired.some((x) => x.deviceId === device);
  return {
    upstream: before ? `revoked ${before.roles.join(', ') || 'no role'}; pairing removed` : 'not paired any more (removed before)',
    probe: after ? 'still listed by openclaw devices list' : 'refused: no longer paired (openclaw devices list)',
    ended: !after,
  };
}
