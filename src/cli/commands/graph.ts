import { ExitCode } from '../../core/exit-codes.js';
import { AGENT, defineCommand, ENV } from './define.js';
import { loadPolicy } from './context.js';
import { FORMAT, renderGraph } from './graph-format.js';

export const graph = defineCommand({
  words: 'graph',
  usage: '[--env E] [--agent A] [--format mermaid|dot|svg]',
  summary: 'the blast radius of every secret of the policy as a graph: credential → backend ref → host → unit → agent → files, keychain items, profiles',
  example: 'rekey graph --format svg > blast-radius.svg',
  options: { env: ENV, agent: AGENT, format: { ...FORMAT, help: 'mermaid (default), dot, or svg (rendered by Graphviz `dot`)' } },
  stateful: false,
  async run({ a, io, out, depsFor, filter }, opts) {
    const { planRotation } = await import('../../plan/planner.js');
    const policy = await loadPolicy(a.global.policy, io.env.HOME);
    const deps = depsFor(policy);
    const targets = Object.keys(policy.secrets).flatMap((s) => {
      const p = planRotation(policy, s, filter, deps.planContext);
      return [...p.targets, ...p.elsewhere];
    });
    const { text, graph: g } = (await renderGraph(opts.format ?? 'mermaid', targets, deps.planContext.adapters, deps.planContext.hostname, deps.exec!))!;
    out(text, g);
    return ExitCode.ok;
  },
});
