/** What `rekey init` writes when no policy exists yet: one provider key for the main agent. */
export const STARTER_POLICY = `# rekey policy: which agent × environment uses which secret, from which backend,
# delivered where, behind which service, verified how. Schema: policies/policy.schema.json
version: 1

environments:
  prod: { description: this host's production Gateway }

agents:
  main: { description: OpenClaw's default agent }

backends:
  local: { kind: local }          # the embedded encrypted store (~/.local/state/rekey/store)

services:
  gateway:
    kind: systemd-user
    unit: openclaw-gateway.service

secrets:
  anthropic:
    layer: provider-key
    provider: anthropic
    envVar: ANTHROPIC_API_KEY
    backend: local
    ref: openclaw/{env}/anthropic
    maxAge: 90d
    deliveries:
      - agent: main
        env: prod
        # the unit's EnvironmentFile= (openclaw gateway install writes it)
        sink: { kind: systemd-env-file, path: ~/.openclaw/gateway.systemd.env }
        service: gateway
        verify: { kind: openclaw-models-status, command: [openclaw] }
`;
