/**
 * The blast radius as a graph: credential → backend ref → host → unit → agent × env → the files,
 * keychain items and stored profiles it lands in. Names and paths only, never values. Rendered as
 * Mermaid (for Markdown: tickets, docs) or Graphviz DOT (`dot -Tsvg`).
 */
import type { AdapterCatalog } from '../core/adapters.js';
import type { Target } from '../core/target.js';
import { sinkTouches } from './blast-radius.js';

export type NodeKind = 'secret' | 'ref' | 'host' | 'unit' | 'agent' | 'file' | 'keychainItem' | 'profile';
export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
}
export interface Graph {
  nodes: GraphNode[];
  edges: { from: string; to: string }[];
}

/** the graph of `targets` (any number of secrets); identical nodes and edges are merged */
export function blastGraph(targets: Target[], adapters: AdapterCatalog, thisHost: string): Graph {
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, { from: string; to: string }>();
  const node = (kind: NodeKind, key: string, label: string) => {
    const k = `${kind}:${key}`;
    if (!nodes.has(k)) nodes.set(k, { id: `${kind}_${nodes.size + 1}`, kind, label });
    return nodes.get(k)!.id;
  };
  const edge = (from: string, to: string) => void edges.set(`${from}>${to}`, { from, to });
  for (const t of targets) {
    const host = t.host === '*' ? thisHost : t.host;
    const s = node('secret', t.secret, `${t.secret} (${t.layer}${t.provider ? `: ${t.provider}` : ''})`);
    const r = node('ref', `${t.backend}:${t.ref}`, `${t.backend}: ${t.ref}`);
    const h = node('host', host, `host ${host}`);
    const a = node('agent', `${host}/${t.agent}/${t.env}`, `agent ${t.agent} × ${t.env}`);
    edge(s, r);
    edge(r, h);
    if (t.service) {
      const u = node('unit', `${host}/${t.service.unit}`, `unit ${t.service.unit}`);
      edge(h, u);
      edge(u, a);
    } else edge(h, a);
    const touches = sinkTouches(t, adapters);
    for (const f of touches.files) edge(a, node('file', `${host}:${f}`, f));
    for (const k of touches.keychainItems) edge(a, node('keychainItem', `${host}:${k}`, `keychain ${k}`));
    for (const p of touches.profiles) edge(a, node('profile', `${host}:${p}`, `profile ${p}`));
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

const SHAPE: Record<NodeKind, [string, string]> = { secret: ['([', '])'], ref: ['[(', ')]'], host: ['[', ']'], unit: ['[[', ']]'], agent: ['(', ')'], file: ['[/', '/]'], keychainItem: ['{{', '}}'], profile: ['>', ']'] };
const DOT_SHAPE: Record<NodeKind, string> = { secret: 'doubleoctagon', ref: 'cylinder', host: 'box3d', unit: 'component', agent: 'ellipse', file: 'note', keychainItem: 'hexagon', profile: 'tab' };
/** Mermaid labels are quoted: `"` becomes #quot; */
const mq = (s: string) => `"${s.replace(/"/g, '#quot;')}"`;
const dq = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function renderMermaid(g: Graph): string {
  const lines = ['flowchart LR'];
  for (const n of g.nodes) lines.push(`  ${n.id}${SHAPE[n.kind][0]}${mq(n.label)}${SHAPE[n.kind][1]}`);
  for (const e of g.edges) lines.push(`  ${e.from} --> ${e.to}`);
  return lines.join('\n') + '\n';
}

export function renderDot(g: Graph): string {
  const lines = ['digraph blast_radius {', '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=10];'];
  for (const n of g.nodes) lines.push(`  ${n.id} [label=${dq(n.label)}, shape=${DOT_SHAPE[n.kind]}];`);
  for (const e of g.edges) lines.push(`  ${e.from} -> ${e.to};`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
