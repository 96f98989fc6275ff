/**
 * `rekey ci render vault-role|aws-trust`: what lets one CI runner, and only it, read its own lease.
 * GitHub Actions OIDC: the job's ID token is exchanged for a backend identity bound to exact
 * claims (repository, the workflow file, the subject: a branch/tag ref or a deployment
 * environment). A wildcard anywhere in them would let any branch, fork workflow or repository of
 * the organisation assume the identity, so it is refused. Pure: text in, documents out.
 */
import { UsageError } from '../core/errors.js';

export interface RunnerBinding {
  /** the runner's id in rekey: its lease path is <prefix>/<runner>/… */
  runner: string;
  /** ORG/REPO */
  repo: string;
  /** exactly one: a git ref (refs/heads/main, refs/tags/v1) or a deployment environment */
  ref?: string;
  environment?: string;
  /** the workflow file that may ask, .github/workflows/x.yml (bound through job_workflow_ref) */
  workflow?: string;
}

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
const RUNNER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const WILD = /[*?[\]{}]/;

/** the subject GitHub puts in the ID token for this binding (docs: "Example subject claims") */
export function githubSubject(b: RunnerBinding): string {
  check(b);
  return b.environment !== undefined ? `repo:${b.repo}:environment:${b.environment}` : `repo:${b.repo}:ref:${b.ref}`;
}

function check(b: RunnerBinding): void {
  const bad = (field: string, why: string) => {
    throw new UsageError('UNSAFE_CI_BINDING', `--${field}: ${why}`, { hint: 'bind one runner to one repository, one ref or environment, one workflow: exact values, no wildcards' });
  };
  if (!RUNNER.test(b.runner)) bad('runner', 'letters, digits, . _ - (up to 64), starting with a letter or digit');
  for (const [field, v] of [['repo', b.repo], ['ref', b.ref], ['environment', b.environment], ['workflow', b.workflow]] as const) {
    if (v !== undefined && WILD.test(v)) bad(field, `"${v}" has a wildcard: every ${field === 'repo' ? 'repository' : field} it matches could assume this runner's identity`);
    if (v !== undefined && (v.trim() === '' || /[\s"\\]/.test(v))) bad(field, 'empty, or has whitespace, quotes or backslashes');
  }
  if (!REPO.test(b.repo)) bad('repo', 'ORG/REPO');
  if ((b.ref === undefined) === (b.environment === undefined)) bad('ref', 'give exactly one of --ref refs/heads/BRANCH|refs/tags/TAG and --environment NAME (an unbound subject would admit every branch, fork pull request and tag)');
  if (b.ref !== undefined && !/^refs\/(heads|tags)\/./.test(b.ref)) bad('ref', 'a full ref: refs/heads/BRANCH or refs/tags/TAG');
  if (b.workflow !== undefined && !/^\.github\/workflows\/[^/]+\.ya?ml$/.test(b.workflow)) bad('workflow', '.github/workflows/FILE.yml');
}

/** job_workflow_ref: ORG/REPO/.github/workflows/FILE.yml@REF (only with --ref: an environment run's ref varies) */
const workflowRef = (b: RunnerBinding) => (b.workflow && b.ref ? `${b.repo}/${b.workflow}@${b.ref}` : undefined);

/**
 * A Vault JWT auth role (POST /v1/auth/<mount>/role/<name>) and the ACL policy it grants: read of
 * the runner's own lease paths (data and metadata) in a KV v2 mount, nothing else. Vault ≥ 1.17 requires
 * bound_audiences when the token has an aud claim (GitHub's always has).
 */
export function vaultRole(b: RunnerBinding, o: { audience: string; kvMount: string; prefix: string; ttl: string }): { name: string; role: Record<string, unknown>; policyName: string; policy: string } {
  if (WILD.test(o.audience) || o.audience.trim() === '') throw new UsageError('UNSAFE_CI_BINDING', '--audience: an exact audience, no wildcard');
  const sub = githubSubject(b);
  const wf = workflowRef(b);
  const policyName = `rekey-ci-${b.runner}`;
  const role = {
    role_type: 'jwt',
    bound_audiences: [o.audience],
    bound_subject: sub,
    bound_claims_type: 'string',
    bound_claims: { repository: b.repo, ...(wf ? { job_workflow_ref: wf } : {}) },
    user_claim: 'sub',
    token_policies: [policyName],
    token_ttl: o.ttl,
    token_max_ttl: o.ttl,
    token_type: 'service',
    token_no_default_policy: true,
  };
  const own = `${o.prefix}/${b.runner}/*`;
  // metadata too: `rekey ci exec` finds the current version there (no values in it)
  const policy = `# rekey ci: runner ${b.runner} reads its own leases, nothing else\npath "${o.kvMount}/data/${own}" {\n  capabilities = ["read"]\n}\npath "${o.kvMount}/metadata/${own}" {\n  capabilities = ["read"]\n}\n`;
  return { name: `rekey-ci-${b.runner}`, role, policyName, policy };
}

/** An IAM role trust policy for GitHub's OIDC provider and the permissions policy: its own lease secrets only. */
export function awsTrust(b: RunnerBinding, o: { account: string; region: string; prefix: string }): { trustPolicy: Record<string, unknown>; permissionsPolicy: Record<string, unknown> } {
  if (!/^\d{12}$/.test(o.account)) throw new UsageError('BAD_ARGUMENTS', '--account: the 12-digit AWS account id');
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(o.region)) throw new UsageError('BAD_ARGUMENTS', '--region: an AWS region such as eu-west-1');
  const sub = githubSubject(b);
  const host = GITHUB_ISSUER.replace('https://', '');
  if (b.workflow !== undefined) {
    throw new UsageError('BAD_ARGUMENTS', '--workflow: IAM conditions on GitHub tokens see only aud and sub, not job_workflow_ref', {
      hint: 'bind the workflow in Vault (ci render vault-role), or use a deployment environment (--environment) whose protection rules allow only that workflow',
    });
  }
  return {
    trustPolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::${o.account}:oidc-provider/${host}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          // StringEquals, never StringLike: an exact subject
          Condition: { StringEquals: { [`${host}:aud`]: 'sts.amazonaws.com', [`${host}:sub`]: sub } },
        },
      ],
    },
    permissionsPolicy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: `arn:aws:secretsmanager:${o.region}:${o.account}:secret:${o.prefix}/${b.runner}/*` }],
    },
  };
}
