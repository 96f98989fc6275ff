import { UsageError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { defineCommand } from './define.js';

export const ciRender = defineCommand({
  words: 'ci render',
  usage: 'vault-role|aws-trust --runner ID --repo ORG/REPO (--ref refs/heads/B | --environment E) [--workflow .github/workflows/F.yml] [vault: --audience A --kv-mount M --ttl D] [aws: --account N --region R] [--prefix P]',
  summary: "print the backend identity one CI runner assumes with its GitHub OIDC token (Vault JWT role + policy, or an IAM trust + permissions policy), bound to exact claims; wildcards refused",
  example: 'rekey ci render vault-role --runner gha-deploy --repo acme/api --environment prod --workflow .github/workflows/deploy.yml',
  options: {
    runner: { type: 'string', value: 'ID', help: "the runner's id (its leases live under <prefix>/<ID>/)" },
    repo: { type: 'string', value: 'ORG/REPO', help: 'the repository whose workflows may assume it' },
    ref: { type: 'string', value: 'REF', help: 'the exact git ref (refs/heads/main, refs/tags/v1)' },
    environment: { type: 'string', value: 'E', help: 'or: the GitHub deployment environment' },
    workflow: { type: 'string', value: 'FILE', help: 'Vault: also bind job_workflow_ref to this workflow file (.github/workflows/x.yml, with --ref)' },
    audience: { type: 'string', value: 'A', help: 'Vault: the audience the job requests (default https://github.com/<ORG>)' },
    'kv-mount': { type: 'string', value: 'M', help: 'Vault: the KV v2 mount of the leases (default secret)' },
    ttl: { type: 'string', value: 'D', help: "Vault: the token's ttl (default 15m)" },
    account: { type: 'string', value: 'N', help: 'AWS: the 12-digit account id' },
    region: { type: 'string', value: 'R', help: 'AWS: the region of the lease secrets' },
    prefix: { type: 'string', value: 'P', help: 'where leases live in the backend (default rekey/ci)' },
  },
  stateful: false,
  async run({ a, out }, o) {
    const { vaultRole, awsTrust } = await import('../../usecases/ci-trust.js');
    const what = a.positionals[0];
    if (!o.runner || !o.repo) throw new UsageError('BAD_ARGUMENTS', 'rekey ci render needs --runner and --repo');
    const b = { runner: o.runner, repo: o.repo, ...(o.ref !== undefined ? { ref: o.ref } : {}), ...(o.environment !== undefined ? { environment: o.environment } : {}), ...(o.workflow !== undefined ? { workflow: o.workflow } : {}) };
    const prefix = o.prefix ?? 'rekey/ci';
    if (what === 'vault-role') {
      const r = vaultRole(b, { audience: o.audience ?? `https://github.com/${o.repo.split('/')[0]}`, kvMount: o['kv-mount'] ?? 'secret', prefix, ttl: o.ttl ?? '15m' });
      out(`# vault policy write ${r.policyName} - <<'EOF'\n${r.policy}EOF\n# vault write auth/jwt/role/${r.name} - <<'EOF'\n${JSON.stringify(r.role, null, 2)}\nEOF\n`, r);
    } else if (what === 'aws-trust') {
      if (!o.account || !o.region) throw new UsageError('BAD_ARGUMENTS', 'aws-trust needs --account and --region');
      const r = awsTrust(b, { account: o.account, region: o.region, prefix });
      out(`# trust policy (aws iam create-role --assume-role-policy-document file://trust.json)\n${JSON.stringify(r.trustPolicy, null, 2)}\n# permissions policy (aws iam put-role-policy)\n${JSON.stringify(r.permissionsPolicy, null, 2)}\n`, r);
    } else {
      throw new UsageError('BAD_ARGUMENTS', 'rekey ci render vault-role|aws-trust', { hint: 'rekey ci render --help' });
    }
    return ExitCode.ok;
  },
});
