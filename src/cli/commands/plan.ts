import { ExitCode } from '../../core/exit-codes.js';
import { AGENT, defineCommand, ENV, SKIP_SOURCES } from './define.js';
import { loadPolicy, requireSecret } from './context.js';
import { FORMAT, renderGraph } from './graph-format.js';

export const plan = defineCommand({
  words: 'plan',
  usage: '<secret> [--env E] [--agent A] [--skip-sources] [--format text|mermaid|dot|svg]',
  summary: 'targets, delivery and restart order, blast radius, backend state; no side effects',
  example: 'rekey plan anthropic --env prod',
  options: { env: ENV, agent: AGENT, 'skip-sources': SKIP_SOURCES, format: FORMAT },
  stateful: true,
  async run({ a, io, out, depsFor, filter, ownersOnDisk }, opts) {
    const [{ renderWide, wideFiles }, { sinkTouches }, { planRotation }, { pairedDevices }, { pendingReport }, { shadowReports }, { renderDevices, renderPlan, renderSources }] = await Promise.all([
      import('../../io/file-modes.js'),
      import('../../plan/blast-radius.js'),
      import('../../plan/planner.js'),
      import('../../usecases/devices.js'),
      import('../../usecases/pending.js'),
      import('../../usecases/preflight.js'),
      import('../render.js'),
    ]);
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const deps = depsFor(policy);
    const adapters = deps.planContext.adapters;
    const p = planRotation(policy, requireSecret(a), filter, deps.planContext);
    // the blast radius as a graph: no lookups, nothing else
    const drawn = await renderGraph(opts.format, [...p.targets, ...p.elsewhere], adapters, deps.planContext.hostname, deps.exec!);
    if (drawn !== null) {
      out(drawn.text, { secret: p.secret, format: opts.format, graph: drawn.text });
      return ExitCode.ok;
    }
    await ownersOnDisk(policy, deps);
    const backendState = await pendingReport(p, deps);
    const sources = opts['skip-sources'] ? [] : await shadowReports(p, deps, { tolerant: true });
    const devices = await pairedDevices(p, deps);
    const probes = (await deps.audit.read().catch(() => [])).flatMap((r) => r.probes ?? []).filter((x) => p.refs.includes(x.ref));
    const lastProbes = p.refs.map((ref) => probes.filter((x) => x.ref === ref).at(-1)).filter((x) => x !== undefined);
    const probeLines = lastProbes.map((x) => `  last probe of ${x.ref}: ${x.fingerprint} ${x.result} at ${x.at} (${x.detail})`).join('\n');
    const wide = await wideFiles(p.targets.flatMap((t) => sinkTouches(t, adapters).files));
    out(
      renderPlan(p, adapters, deps.planContext.hostname) + renderSources(sources) + renderDevices(devices) + `\nbackend (${p.backend}):\n${backendState.map((n) => `  ${n}`).join('\n')}\n${probeLines ? probeLines + '\n' : ''}` + renderWide(wide),
      { ...p, backendState, sources, pairedDevices: devices, lastProbes, wideFiles: wide },
    );
    return ExitCode.ok;
  },
});
