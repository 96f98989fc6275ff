import type { Templater } from '../core/adapters.js';
import { posix } from 'node:path';

export interface TemplateVars {
  secret: string;
  env: string;
  agent: string;
  /** the provider id of a provider key; `gateway` for the Gateway token */
  provider: string;
}

/** The one template filler: {secret} {env} {agent} {provider}; paths also get ~ expanded and made canonical. */
export function templater(vars: TemplateVars, home?: string): Templater {
  const text = (s: string) => s.replaceAll('{secret}', vars.secret).replaceAll('{env}', vars.env).replaceAll('{agent}', vars.agent).replaceAll('{provider}', vars.provider);
  return { text, path: (p) => canonicalPath(text(p), home) };
}

/** A sink path as the file system will see it: `~` expanded (when the home is known), no `.`, `..` or `//`. */
export function canonicalPath(p: string, home?: string): string {
  const expanded = home && (p === '~' || p.startsWith('~/')) ? `${home}${p.slice(1)}` : p;
  const n = posix.normalize(expanded);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}
