/**
 * The lightest policy a CLI test needs: one provider-key secret (`anthropic`) on the embedded
 * store, delivered to one env file behind a unit that is never started, not verified (`reason`
 * says why). Tests of input, state, audit and ownership use it; nothing is rotated against a
 * consumer with it.
 */
/**
 * A policy of one provider-key secret, `anthropic` (ANTHROPIC_API_KEY from the embedded store at
 * openclaw/{env}/anthropic), with the deliveries a test gives as YAML list items (indented six
 * spaces) and optional services, agents, backends (the secret's own among them), fleet, audit and
 * more secrets.
 */
export function anthropicPolicy(o: {
  deliveries: string;
  /** the `services:` value: a YAML flow map, or block lines indented two spaces (start with a newline) */
  services?: string;
  agents?: string[];
  /** more backends, as YAML map entries: `vault: { kind: vault, … }` */
  backends?: string;
  /** the `audit:` value, as a YAML flow map */
  audit?: string;
  /** more keys of the secret, as lines indented four spaces (e.g. `    probe: off\n`) */
  secretKeys?: string;
  /** more secrets, as YAML lines indented under `secrets:` */
  secrets?: string;
  /** the secret's backend ref (default openclaw/{env}/anthropic) */
  ref?: string;
  /** the secret's backend (default local, the embedded store) */
  backend?: string;
  /** the `fleet:` value, as a YAML flow map */
  fleet?: string;
}): string {
  return `version: 1
environments: { prod: {} }
agents: { ${(o.agents ?? ['main']).map((a) => `${a}: {}`).join(', ')} }
backends: { local: { kind: local }${o.backends ? `, ${o.backends}` : ''} }
${o.fleet ? `fleet: ${o.fleet}\n` : ''}${o.services ? `services:${o.services.startsWith('\n') ? '' : ' '}${o.services}\n` : ''}${o.audit ? `audit: ${o.audit}\n` : ''}secrets:
${o.secrets ?? ''}  anthropic:
    layer: provider-key
    provider: anthropic
    envVar: ANTHROPIC_API_KEY
${o.secretKeys ?? ''}    backend: ${o.backend ?? 'local'}
    ref: ${o.ref ?? 'openclaw/{env}/anthropic'}
    deliveries:
${o.deliveries.replace(/\n$/, '')}
`;
}

export function lightPolicy(o: {
  envFile: string;
  reason: string;
  /** more backends, as YAML map entries: `vault: { kind: vault, … }` */
  backends?: string;
  /** the `audit:` value, as a YAML flow map */
  audit?: string;
  /** more secrets, as YAML lines indented under `secrets:` */
  secrets?: string;
  /** the secret's backend ref (default openclaw/{env}/anthropic) */
  ref?: string;
  /** the secret's backend (default local, the embedded store) */
  backend?: string;
  /** the `fleet:` value, as a YAML flow map */
  fleet?: string;
}): string {
  return anthropicPolicy({
    ...o,
    services: '{ gateway: { kind: systemd-user, unit: not-started-here.service } }',
    deliveries: `      - { agent: main, env: prod, sink: { kind: systemd-env-file, path: "${o.envFile}" }, service: gateway, verify: { kind: none, reason: '${o.reason}' } }`,
  });
}
