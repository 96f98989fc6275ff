import { posix } from 'node:path';
import type { PolicyIssue } from '../core/errors.js';
import type { Policy } from './schema.js';

/** A sink path as the file system will see it: `~` expanded (when the home is known), no `.`, `..` or `//`. */
export function canonicalPath(p: string, home?: string): string {
  const expanded = home && (p === '~' || p.startsWith('~/')) ? `${home}${p.slice(1)}` : p;
  const n = posix.normalize(expanded);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}
const isAnchored = (p: string) => p.startsWith('/') || p === '~' || p.startsWith('~/');

const asList = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);

/** Cross-field rules over a schema-valid policy. Reports every issue, each with its dot-path. */
export function checkRules(policy: Policy, opts: { home?: string } = {}): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const owners = new Map<string, string>();
  for (const [secretName, secret] of Object.entries(policy.secrets)) {
    const base = `secrets.${secretName}`;
    if (!(secret.backend in policy.backends)) {
      issues.push({ path: `${base}.backend`, message: `unknown backend "${secret.backend}"`, hint: `define it under backends: (${Object.keys(policy.backends).join(', ') || 'none yet'})` });
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
      if (d.sink.kind === 'systemd-env-file' && d.service === null) {
        issues.push({ path: `${at}.service`, message: 'an env file is read only when the service starts, so it needs a service to restart', hint: 'name the unit that reads this file under services:' });
      }
      if (d.sink.kind === 'openclaw-secretref-file' && d.verify.kind === 'openclaw-models-status') {
        issues.push({ path: `${at}.verify.kind`, message: 'models status shows no mask for a SecretRef (it reports it as indeterminate)', hint: 'use verify: { kind: openclaw-secrets-audit }' });
      }
      if (d.sink.kind === 'keychain' && d.service === null && !d.sink.reload) {
        issues.push({ path: `${at}.service`, message: 'a keychain item reaches a process only at its start (rekey exec) or through an OpenClaw exec SecretRef', hint: 'name the service that starts through rekey exec, or add sink.reload for an exec SecretRef' });
      }
      if (d.sink.kind === 'keychain' && d.sink.reload && d.verify.kind === 'openclaw-models-status') {
        issues.push({ path: `${at}.verify.kind`, message: 'models status shows no mask for a SecretRef (it reports it as indeterminate)', hint: 'use verify: { kind: openclaw-secrets-audit }' });
      }
      if (d.sink.kind === 'openclaw-auth-profile' && d.verify.kind !== 'openclaw-models-status') {
        issues.push({ path: `${at}.verify.kind`, message: 'OpenClaw never reveals a stored key: only its masked hint in models status can confirm the profile', hint: 'use verify: { kind: openclaw-models-status }' });
      }
      if (d.sink.kind === 'openclaw-auth-profile' && secret.layer !== 'provider-key') {
        issues.push({ path: `${at}.sink.kind`, message: 'auth profiles hold provider keys, not the Gateway token', hint: 'a rotation names exactly one layer' });
      }
      if (d.verify.kind === 'openclaw-gateway-probe' && secret.layer !== 'gateway-token') {
        issues.push({ path: `${at}.verify.kind`, message: 'openclaw-gateway-probe verifies the Gateway token, not provider keys', hint: 'a rotation names exactly one layer' });
      }
      if (d.sink.kind === 'openclaw-config-token' && secret.layer !== 'gateway-token') {
        issues.push({ path: `${at}.sink.kind`, message: 'openclaw-config-token writes the Gateway token, not provider keys', hint: 'a rotation names exactly one layer' });
      }
      if ((d.verify.kind === 'openclaw-models-status' || d.verify.kind === 'openclaw-secrets-audit') && secret.layer !== 'provider-key') {
        issues.push({ path: `${at}.verify.kind`, message: 'openclaw-models-status verifies provider keys, not the Gateway token', hint: 'a rotation names exactly one layer' });
      }
      for (const [field, p] of [['path', (d.sink as { path?: string }).path], ['stateDir', (d.sink as { stateDir?: string }).stateDir], ['configPath', (d.sink as { configPath?: string }).configPath]] as const) {
        if (p !== undefined && !isAnchored(p)) {
          issues.push({ path: `${at}.sink.${field}`, message: `"${p}" is a relative path: it would depend on the directory rekey runs in`, hint: 'use an absolute path or one under ~/' });
        }
      }
      if (d.sink.kind === 'systemd-env-file') {
        const key = d.sink.key ?? secret.envVar;
        for (const agent of asList(d.agent)) {
          for (const env of asList(d.env)) {
            const fill = (t: string) => t.replaceAll('{agent}', agent).replaceAll('{env}', env).replaceAll('{secret}', secretName);
            // one file however it is spelled (./, //, .., ~ or the absolute home)
            const place = `${d.host ?? '*'}:${canonicalPath(fill(d.sink.path), opts.home)}#${key}`;
            const value = `${secretName} (${fill(secret.ref)})`;
            const other = owners.get(place);
            if (other !== undefined && other !== value) {
              issues.push({
                path: `${at}.sink`,
                message: `${fill(d.sink.path)} ${key} would get two values: ${other} and ${value}`,
                hint: 'rekey owns exactly one source per variable: use {agent}/{env} in the path or a per-agent key',
              });
            }
            owners.set(place, value);
          }
        }
      }
    });
  }
  const anchor = policy.audit?.anchor;
  if (anchor) {
    const b = policy.backends[anchor.backend];
    if (!b) issues.push({ path: 'audit.anchor.backend', message: `unknown backend "${anchor.backend}"`, hint: 'name a vault or aws-secrets-manager backend under backends:' });
    else if (b.kind === 'local') issues.push({ path: 'audit.anchor.backend', message: 'the local store lives on this host, beside the log: an anchor there proves nothing', hint: 'anchor in a shared backend (vault or aws-secrets-manager)' });
  }
  return issues;
}
