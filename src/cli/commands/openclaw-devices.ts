import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { AGENT, defineCommand, ENV } from './define.js';
import { loadPolicy, requireSecret } from './context.js';

export const openclawDevices = defineCommand({
  words: 'openclaw devices',
  usage: '<secret> [--rotate ID --role R]',
  summary: "the Gateway's paired devices (separate tokens); --rotate rotates one (the new token is never printed)",
  example: 'rekey openclaw devices gateway --rotate 3f2a --role operator',
  options: { env: ENV, agent: AGENT, rotate: { type: 'string', value: 'ID', help: 'the device whose token to rotate' }, role: { type: 'string', value: 'R', help: 'operator or node' } },
  stateful: true,
  async run({ a, io, out, depsFor, filter }, opts) {
    const [{ planRotation, tokenRole }, { pairedDevices, rotateDeviceToken }, { renderDevices }] = await Promise.all([import('../../plan/planner.js'), import('../../usecases/devices.js'), import('../render.js')]);
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const deps = depsFor(policy);
    const plan = planRotation(policy, requireSecret(a), filter, deps.planContext);
    const server = plan.targets.find((t) => tokenRole(t, deps.planContext.adapters) === 'server');
    if (!server) throw new UsageError('NO_SERVER_TARGET', `secret "${plan.secret}" has no Gateway-token delivery to a server on this host`, { hint: 'devices belong to a Gateway: name a gateway-token secret with a role: server delivery' });
    const device = opts.rotate;
    if (device) {
      const role = opts.role;
      if (!role) throw new UsageError('BAD_ARGUMENTS', 'rekey openclaw devices --rotate ID needs --role (e.g. operator, node)');
      const r = await rotateDeviceToken(plan, server, device, role, deps);
      out(`rotated the ${role} token of device ${device} (the device re-authenticates with it; a shared-token caller never receives it)\n`, { device, role, result: r });
      return ExitCode.ok;
    }
    const devices = await pairedDevices(plan, deps);
    out(renderDevices(devices) || 'no Gateway-token server target\n', { pairedDevices: devices });
    return ExitCode.ok;
  },
});
