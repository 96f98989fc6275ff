import { UsageError } from '../../core/errors.js';
import type { Exec } from '../../core/ports.js';
import type { Target } from '../../core/target.js';
import type { AdapterCatalog } from '../../core/adapters.js';
import type { Graph } from '../../plan/graph.js';

export const FORMAT = { type: 'string', value: 'F', help: 'text (default), mermaid, dot, or svg (rendered by Graphviz `dot`)' } as const;

/** the blast-radius graph of `targets` in a graph format, and the graph; null for `text` (the command's own output) */
export async function renderGraph(format: string | undefined, targets: Target[], adapters: AdapterCatalog, hostname: string, exec: Exec): Promise<{ text: string; graph: Graph } | null> {
  if (format === undefined || format === 'text') return null;
  if (!['mermaid', 'dot', 'svg'].includes(format)) throw new UsageError('UNKNOWN_FORMAT', `--format ${format}: one of text, mermaid, dot, svg`);
  const { blastGraph, renderDot, renderMermaid } = await import('../../plan/graph.js');
  const graph = blastGraph(targets, adapters, hostname);
  if (format === 'mermaid') return { text: renderMermaid(graph), graph };
  if (format === 'dot') return { text: renderDot(graph), graph };
  const r = await exec.run(['dot', '-Tsvg'], { stdin: renderDot(graph), timeoutMs: 30_000 }).catch((e: unknown) => ({ code: null, stdout: '', stderr: (e as Error).message, signal: null, timedOut: false }));
  if (r.code !== 0) {
    const missing = /ENOENT|not found/i.test(r.stderr);
    throw new UsageError(missing ? 'GRAPHVIZ_NOT_FOUND' : 'GRAPHVIZ_FAILED', missing ? '--format svg needs Graphviz `dot` on PATH, and it is not there' : `dot -Tsvg failed: ${r.stderr.slice(0, 200)}`, {
      hint: missing ? 'install it (Debian: apt-get install graphviz), or use --format dot and render it elsewhere' : 'try --format dot to see the input',
    });
  }
  return { text: r.stdout, graph };
}
