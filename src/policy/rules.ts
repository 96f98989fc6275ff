import type { PolicyIssue } from '../core/errors.js';
import type { AdapterCatalog } from '../core/adapters.js';
import type { Policy } from './schema.js';
import { canonicalPath, templater } from './template.js';

export { canonicalPath };

const isAnchored = (p: string) => p.startsWith('/') || p === '~' || p.startsWith('~/');

const asList = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

/** Cross-field rules over a schema-valid policy. Reports every issue, each with its dot-path. */
export function checkRules(policy: Policy, adapters: AdapterCatalog, opts: { home?: string } = {}): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const owners = new Map<string, string>();
  for (const [secretName, secret] of Object.entries(policy.secrets)) {
    const base = `secrets.${secretName}`;
    if (!(secret.backend in policy.backends)) {
      issues.push({ path: `${base}.backend`, message: `unknown backend "${secret.backend}"`, hint: `define it under backends: (${Object.keys(policy.backends).join(', ') || 'none yet'})` });
    }
    if (secret.issuer !== undefined) {
      const cfg = policy.issuers[secret.issuer];
      if (!cfg) issues.push({ path: `${base}.issuer`, message: `unknown issuer "${secret.issuer}"`, hint: `define it under issuers: (${Object.keys(policy.issuers).join(', ') || 'none yet'})` });
      else {
        const spec = adapters.issuer(cfg.kind);
        if (!spec.layers.includes(secret.layer)) issues.push({ path: `${base}.issuer`, message: `${cfg.kind} issues ${spec.layers.join(' and ')} credentials, not a ${secret.layer}` });
        else if (secret.layer === 'provider-key' && !spec.providers.includes(secret.provider)) issues.push({ path: `${base}.issuer`, message: `${cfg.kind} issues keys of ${spec.providers.join(', ')}, not ${secret.provider}` });
      }
    }
    if (secret.retire.after !== 'never' && secret.issuer === undefined) {
      issues.push({ path: `${base}.retire`, message: 'retiring the old credential upstream needs an issuer that can', hint: 'name one under issuer:, or set retire: { after: never }' });
    }
    secret.deliveries.forEach((d, i) => {
      const at = `${base}.deliveries.${i}`;
      for (const agent of asList(d.agent)) {
        if (!(agent in policy.agents)) issues.push({ path: `${at}.agent`, message: `unknown agent "${agent}"`, hint: 'list it under agents:' });
      }
      for (const env of asList(d.env)) {
        if (!(env in policy.environments)) issues.push({ path: `${at}.env`, message: `unknown environment "${env}"`, hint: 'list it under environments:' });
      }
      if (d.service !== null && !(d.service in policy.services)) {
        issues.push({ path: `${at}.service`, message: `unknown service "${d.service}"`, hint: 'define it under services:' });
      }
      const sink = adapters.sink(d.sink.kind);
      const verifier = adapters.verifier(d.verify.kind);
      const need = d.service === null ? sink.needsService?.(d.sink) : null;
      if (need) issues.push({ ...need, path: `${at}.${need.path}` });
      const cannot = verifier.cannotVerify[sink.reads(d.sink)];
      if (cannot) issues.push({ path: `${at}.verify.kind`, ...cannot });
      if (!sink.layers.includes(secret.layer)) {
        issues.push({ path: `${at}.sink.kind`, message: sink.wrongLayer ?? `${d.sink.kind} cannot deliver a ${secret.layer}`, hint: 'a rotation names exactly one layer' });
      }
      if (!verifier.layers.includes(secret.layer)) {
        issues.push({ path: `${at}.verify.kind`, message: verifier.wrongLayer ?? `${d.verify.kind} cannot verify a ${secret.layer}`, hint: 'a rotation names exactly one layer' });
      }
      for (const [field, p] of [['path', (d.sink as { path?: string }).path], ['stateDir', (d.sink as { stateDir?: string }).stateDir], ['configPath', (d.sink as { configPath?: string }).configPath]] as const) {
        if (p !== undefined && !isAnchored(p)) {
          issues.push({ path: `${at}.sink.${field}`, message: `"${p}" is a relative path: it would depend on the directory rekey runs in`, hint: 'use an absolute path or one under ~/' });
        }
      }
      // places only one secret may own (an env file's variable), however the path is spelled (./, //, .., ~ or the absolute home)
      if (sink.places) {
        const provider = secret.layer === 'provider-key' ? secret.provider : 'gateway';
        for (const agent of asList(d.agent)) {
          for (const env of asList(d.env)) {
            const tpl = templater({ secret: secretName, env, agent, provider }, opts.home);
            const envVar = sink.envKey?.(d.sink) ?? secret.envVar;
            const value = `${secretName} (${tpl.text(secret.ref)})`;
            for (const place of sink.places(sink.resolve(d.sink, tpl), envVar)) {
              const key = `${d.host ?? '*'}:${place}`;
              const other = owners.get(key);
              if (other !== undefined && other !== value) {
                issues.push({
                  path: `${at}.sink`,
                  message: `${place.replace('#', ' ')} would get two values: ${other} and ${value}`,
                  hint: 'rekey owns exactly one source per variable: use {agent}/{env} in the path or a per-agent key',
                });
              }
              owners.set(key, value);
            }
          }
        }
      }
    });
  }
  const anchor = policy.audit?.anchor;
  if (anchor) {
    const b = policy.backends[anchor.backend];
    if (!b) issues.push({ path: 'audit.anchor.backend', message: `unknown backend "${anchor.backend}"`, hint: 'name a vault or aws-secrets-manager backend under backends:' });
    else if (adapters.backend(b.kind).capabilities.scope !== 'shared') issues.push({ path: 'audit.anchor.backend', message: 'the local store lives on this host, beside the log: an anchor there proves nothing', hint: 'anchor in a shared backend (vault or aws-secrets-manager)' });
  }
  return issues;
}
