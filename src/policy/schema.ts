import { z } from 'zod';
import type { BackendConfig, IssuerConfig, ServiceConfig, SinkConfig, VerifierConfig } from '../core/adapters.js';
import { ENV_NAME } from '../core/env-name.js';
import { duration } from './duration.js';
import { parseWindow } from './schedule.js';

export type { Layer } from '../core/adapters.js';

/** The adapters' config schemas, each a union on `kind`, assembled by providers/registry.ts. */
export interface AdapterSchemas {
  backend: z.ZodType<BackendConfig>;
  sink: z.ZodType<SinkConfig>;
  service: z.ZodType<ServiceConfig>;
  verifier: z.ZodType<VerifierConfig>;
  issuer: z.ZodType<IssuerConfig>;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const name = (what: string) => z.string().regex(NAME, `${what} names are lower-case letters, digits, _ and -`);

export { duration };

const oneOrMany = z.union([name('name'), z.array(name('name')).min(1)]);

/** The policy schema over the adapters' config unions (the registry passes them in). */
export function makePolicySchema(a: AdapterSchemas) {
  const delivery = z.strictObject({
    /** agent id(s); each agent × env pair becomes one target */
    agent: oneOrMany,
    env: oneOrMany,
    /** host name this delivery lives on; default: any host that runs this policy */
    host: z.string().min(1).optional(),
    sink: a.sink,
    /** a name under `services`, or null when the sink needs no restart */
    service: name('service').nullable(),
    verify: a.verifier,
  });

  const secretCommon = {
    description: z.string().optional(),
    /** a name under `backends` */
    backend: name('backend'),
    /** the backend reference; templates {secret} {env} {agent} */
    ref: z.string().min(1),
    maxAge: duration.optional(),
    deliveries: z.array(delivery).min(1),
    /** a name under `issuers`: mints new values (when it can) and retires old ones upstream */
    issuer: name('issuer').optional(),
    /** when the old credential is retired upstream after a promote: 0 (at once), a grace period (1h), or never (default) */
    retire: z.strictObject({ after: z.union([z.literal(0), z.literal('never'), duration]) }).default({ after: 'never' }),
    /** provider keys: `status` warns (and `status --check` exits 2) when a ref's standby pool holds fewer keys than this */
    minStandby: z.number().int().min(0).optional(),
    /** who holds it: `service` (the default: agents and Gateways), `human` (a person's own key: never issued to a CI runner, and no CI lease may carry a value it holds) */
    audience: z.enum(['service', 'human']).optional(),
  };

  const providerKeySecret = z.strictObject({
    layer: z.literal('provider-key'),
    /**
     * Ask the provider whether it accepts the key (a model listing: no tokens spent), before anything
     * is delivered and again with what the consumer holds after delivery. required: a key the
     * provider refuses or a provider that cannot be reached stops the rotation; best-effort: an
     * unreachable provider is a warning; off: never asked (say why in `description`).
     */
    probe: z.enum(['required', 'best-effort', 'off']).default('required'),
    /** OpenClaw provider id, e.g. anthropic, openai */
    provider: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'a provider id such as anthropic'),
    /** the env name OpenClaw reads, e.g. ANTHROPIC_API_KEY (per-agent names via an env keyRef) */
    envVar: z.string().regex(ENV_NAME, 'must be a valid environment variable name'),
    ...secretCommon,
  });

  const gatewayTokenSecret = z.strictObject({
    layer: z.literal('gateway-token'),
    envVar: z.string().regex(ENV_NAME, 'must be a valid environment variable name').default('OPENCLAW_GATEWAY_TOKEN'),
    ...secretCommon,
  });

  const secret = z.discriminatedUnion('layer', [providerKeySecret, gatewayTokenSecret]);

  const described = z.strictObject({ description: z.string().optional() });

  return z
    .strictObject({
      version: z.literal(1),
      environments: z.record(name('environment'), described),
      agents: z.record(name('agent'), described),
      backends: z.record(name('backend'), a.backend),
      services: z.record(name('service'), a.service).default({}),
      /** who mints and retires credentials upstream (provider admin APIs) */
      issuers: z.record(name('issuer'), a.issuer).default({}),
      secrets: z.record(name('secret'), secret),
      /** when due secrets may rotate themselves (`rekey rotate --due`, run by a timer) */
      schedule: z
        .strictObject({
          /** "<days> HH:MM-HH:MM" in UTC (e.g. "Sun 02:00-04:00", "Mon-Fri 01:00-03:00"); none: any time */
          windows: z
            .array(
              z.string().superRefine((s, ctx) => {
                const w = parseWindow(s);
                if (typeof w === 'string') ctx.addIssue({ code: 'custom', message: w });
              }),
            )
            .default([]),
          /** each host × secret starts this long at most after a window opens (a fixed share per host): many hosts do not rotate at once */
          jitter: duration.optional(),
          /** a secret is due, and `status --check` warns, this long before its maxAge is reached */
          leadTime: duration.default('7d'),
        })
        .optional(),
      /**
       * who hears about scheduled runs: a command (the event as JSON on stdin) and/or an HTTPS
       * webhook (the event as the body, signed with HMAC-SHA256 under a key held in a backend).
       * Events carry names, outcomes and fingerprints, never a value.
       */
      notify: z
        .strictObject({
          /** changes: a run that rotated, failed, skipped or needs a key; failures: only those not rotated; always: every run */
          when: z.enum(['changes', 'failures', 'always']).default('changes'),
          command: z.array(z.string().min(1)).min(1).optional(),
          webhook: z
            .strictObject({
              /** https:// (http:// only to a loopback address) */
              url: z.string().url(),
              /** the HMAC key: a backend and ref holding it (never in the policy) */
              key: z.strictObject({ backend: name('backend'), ref: z.string().min(1) }),
              /** attempts after the first, with exponential backoff from 1 s */
              retries: z.number().int().min(0).max(8).default(3),
              timeoutMs: z.number().int().positive().max(60_000).default(10_000),
            })
            .optional(),
        })
        .optional(),
      /**
       * per-runner CI credentials (`rekey ci issue|exec|list|revoke|reap`): each lease's value lives
       * at `<prefix>/<runner>/<secret>` in the secret's backend (what `rekey ci render` grants the
       * runner's identity), its record in the lease book `<prefix>/_leases` beside it. With this
       * section, `rotate --due` (the scheduled job) also ends expired leases (`ci reap`)
       */
      ci: z
        .strictObject({
          prefix: z
            .string()
            .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/, 'a path without leading or trailing slash, e.g. rekey/ci')
            .default('rekey/ci'),
          /** the longest `--ttl` a lease may have */
          maxTtl: duration.default('24h'),
        })
        .optional(),
      /**
       * fleet rotation (`rotate --fleet`, `rekey agent`): where the rollout records live in each
       * secret's backend, `<prefix>/<secret>/rollouts` (coordinators) and
       * `<prefix>/<secret>/hosts/<host>` (each host's acknowledgements). Policies that share a
       * backend and name the same secret need different prefixes.
       */
      fleet: z
        .strictObject({
          prefix: z
            .string()
            .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/, 'a path without leading or trailing slash, e.g. rekey/fleet')
            .default('rekey/fleet'),
        })
        .optional(),
      /** a Prometheus textfile (node_exporter's textfile collector) written atomically after every run that changes or checks something */
      metrics: z.strictObject({ textfile: z.string().min(1) }).optional(),
      audit: z
        .strictObject({
          /** where records go (Vault-style audit devices); a run that changes something needs at least one that can record. Default: the file */
          devices: z
            .array(
              z.discriminatedUnion('kind', [
                z.strictObject({ kind: z.literal('file') }),
                z.strictObject({ kind: z.literal('journald') }),
                z.strictObject({ kind: z.literal('syslog'), socket: z.string().min(1).default('/dev/log') }),
              ]),
            )
            .min(1)
            .default([{ kind: 'file' }]),
          /** after every record, the chain's head (seq and hash, no values) is written to a shared backend (vault or aws-secrets-manager): a deleted or rewritten tail of the local log is then caught by `rekey audit verify` */
          anchor: z.strictObject({ backend: z.string().min(1), ref: z.string().min(1).default('rekey/audit/{host}') }).optional(),
        })
        .optional(),
    })
    .describe('rekey policy: which agent × environment uses which secret, from which backend, delivered where, behind which service, verified how.');
}

export type PolicySchema = ReturnType<typeof makePolicySchema>;
export type Policy = z.infer<PolicySchema>;
export type SecretPolicy = Policy['secrets'][string];
export type DeliveryPolicy = SecretPolicy['deliveries'][number];
