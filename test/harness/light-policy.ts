/**
 * The lightest policy a CLI test needs: one provider-key secret (`anthropic`) on the embedded
 * store, delivered to one env file behind a unit that is never started, not verified (`reason`
 * says why). Tests of input, state, audit and ownership use it; nothing is rotated against a
 * consumer with it.
 */
export function lightPolicy(o: {
  envFile: string;
  reason: string;
  /** more backends, as YAML map entries: `vault: { kind: vault, … }` */
  backends?: string;
  /** the `audit:` value, as a YAML flow map */
  audit?: string;
  /** more secrets, as YAML lines indented under `secrets:` */
  secrets?: string;
}): string {
  return `version: 1
environments: { prod: {} }
agents: { main: {} }
backends: { local: { kind: local }${o.backends ? `, ${o.backends}` : ''} }
services: { gateway: { kind: systemd-user, unit: not-started-here.service } }
${o.audit ? `audit: ${o.audit}\n` : ''}secrets:
${o.secrets ?? ''}  anthropic:
    layer: provider-key
    provider: anthropic
    envVar: ANTHROPIC_API_KEY
    backend: local
    ref: openclaw/{env}/anthropic
    deliveries:
      - { agent: main, env: prod, sink: { kind: systemd-env-file, path: "${o.envFile}" }, service: gateway, verify: { kind: none, reason: '${o.reason}' } }
`;
}
