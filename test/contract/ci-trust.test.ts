/**
 * Per-runner CI identities through Vault's JWT auth (issue 19, its trust part): the role and
 * policy `rekey ci render vault-role` prints are written, as an operator would, into the loopback
 * Vault (JWT auth with bound claims: fake-vault-jwt.ts); a loopback OIDC issuer serves the JWKS;
 * JWTs are signed in the test the way GitHub Actions signs its ID tokens. The real node-vault
 * client logs in and reads. And the IAM trust policy `ci render aws-trust` prints.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { awsTrust, githubSubject, vaultRole, type RunnerBinding } from '../../src/usecases/ci-trust.js';
import { isRekeyError } from '../../src/core/errors.js';
import { startFakeVault, type FakeVault } from '../harness/fake-vault.js';
import { GITHUB_ISSUER as ISSUER, startFakeOidc, type FakeOidc } from '../harness/fake-oidc.js';

const A: RunnerBinding = { runner: 'gha-deploy', repo: 'acme/api', ref: 'refs/heads/main', workflow: '.github/workflows/deploy.yml' };
const B: RunnerBinding = { runner: 'gha-nightly', repo: 'acme/api', environment: 'nightly' };
const OPTS = { audience: 'https://github.com/acme', kvMount: 'secret', prefix: 'rekey/ci', ttl: '15m' };

const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

const claimsOf = (b: RunnerBinding, over: Record<string, unknown> = {}) => ({
  aud: OPTS.audience,
  sub: githubSubject(b),
  repository: b.repo,
  job_workflow_ref: `${b.repo}/${b.workflow ?? '.github/workflows/nightly.yml'}@${b.ref ?? 'refs/heads/main'}`,
  ...over,
});

describe('ci render: per-runner identities that only bind exact claims', () => {
  let vault: FakeVault;
  let oidc: FakeOidc;
  const idToken = (claims: Record<string, unknown>, key?: Parameters<FakeOidc['idToken']>[1]) => oidc.idToken(claims, key);
  let nodeVault: (o: { endpoint: string; token?: string }) => { write(p: string, d: unknown): Promise<any>; read(p: string): Promise<any> };
  const root = 'hvs.root-for-setup';
  const api = async (path: string, body: unknown) => {
    const r = await fetch(`${vault.address}/v1/${path}`, { method: 'POST', headers: { 'x-vault-token': root, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(r.status, await r.text()).toBeLessThan(300);
  };
  const login = async (role: string, jwt: string) => nodeVault({ endpoint: vault.address }).write('auth/jwt/login', { role, jwt });

  beforeAll(async () => {
    nodeVault = (await import('node-vault')).default as never;
    oidc = await startFakeOidc();
    vault = await startFakeVault();
    vault.addToken(root);
    await api('auth/jwt/config', { jwks_url: oidc.jwksUrl, bound_issuer: ISSUER });
    // what `rekey ci render vault-role` prints, applied as `vault policy write` / `vault write` would
    for (const b of [A, B]) {
      const r = vaultRole(b, OPTS);
      await api(`sys/policies/acl/${r.policyName}`, { policy: r.policy });
      await api(`auth/jwt/role/${r.name}`, r.role);
      vault.writeDirect('secret', `rekey/ci/${b.runner}/anthropic`, { value: `lease-of-${b.runner}` });
    }
  });
  afterAll(async () => {
    await vault?.close();
    await oidc?.close();
  });

  test("runner A's token reads its own lease and is refused runner B's; B likewise", async () => {
    for (const [me, them] of [[A, B], [B, A]] as const) {
      const auth = (await login(`rekey-ci-${me.runner}`, idToken(claimsOf(me)))).auth;
      expect(auth.policies).toEqual([`rekey-ci-${me.runner}`]);
      expect(auth.lease_duration).toBe(900);
      const c = nodeVault({ endpoint: vault.address, token: auth.client_token });
      expect((await c.read(`secret/data/rekey/ci/${me.runner}/anthropic`)).data.data).toEqual({ value: `lease-of-${me.runner}` });
      await expect(c.read(`secret/data/rekey/ci/${them.runner}/anthropic`)).rejects.toThrow(/permission denied/);
      await expect(c.write(`secret/data/rekey/ci/${me.runner}/anthropic`, { data: { value: 'x' } })).rejects.toThrow(/permission denied/);
    }
  });

  test("a token with the wrong audience, repository, branch, workflow or signer, or expired, is refused; A's token is refused B's role", async () => {
    const role = `rekey-ci-${A.runner}`;
    const refused = async (jwt: string, why: RegExp) => expect(login(role, jwt)).rejects.toThrow(why);
    await refused(idToken(claimsOf(A, { aud: 'https://github.com/evil' })), /invalid audience/);
    await refused(idToken(claimsOf(A, { repository: 'acme/fork' })), /claim "repository" does not match/);
    await refused(idToken(claimsOf(A, { sub: 'repo:acme/api:ref:refs/heads/feature' })), /sub claim does not match bound subject/);
    await refused(idToken(claimsOf(A, { job_workflow_ref: 'acme/api/.github/workflows/other.yml@refs/heads/main' })), /claim "job_workflow_ref" does not match/);
    await refused(idToken(claimsOf(A), other.privateKey), /failed to verify id token signature/);
    await refused(idToken(claimsOf(A, { exp: Math.floor(Date.now() / 1000) - 600 })), /token is expired/);
    await expect(login(`rekey-ci-${B.runner}`, idToken(claimsOf(A)))).rejects.toThrow(/sub claim does not match/);
  });

  test('wildcards, an unbound subject and a glob claim type are refused by the renderer (exit 2)', () => {
    const refusal = (b: Partial<RunnerBinding>) => {
      try {
        vaultRole({ ...A, ...b } as RunnerBinding, OPTS);
      } catch (e) {
        return isRekeyError(e) ? `${e.code} ${e.exitCode} ${e.message}` : String(e);
      }
      return 'accepted';
    };
    expect(refusal({ repo: 'acme/*' })).toMatch(/^UNSAFE_CI_BINDING 2 --repo: "acme\/\*" has a wildcard/);
    expect(refusal({ ref: 'refs/heads/*' })).toMatch(/^UNSAFE_CI_BINDING 2 --ref: .* has a wildcard/);
    expect(refusal({ ref: undefined, environment: 'prod-?' })).toMatch(/--environment: .* has a wildcard/);
    expect(refusal({ workflow: '.github/workflows/*.yml' })).toMatch(/--workflow: .* has a wildcard/);
    expect(refusal({ ref: undefined })).toMatch(/give exactly one of --ref .* and --environment/);
    expect(refusal({ environment: 'prod' })).toMatch(/give exactly one of/);
    expect(refusal({ ref: 'main' })).toMatch(/a full ref/);
    expect(refusal({ runner: '../x' })).toMatch(/--runner/);
    expect(() => vaultRole(A, { ...OPTS, audience: '*' })).toThrow(/--audience/);
    const r = vaultRole(A, OPTS).role;
    expect(r).toMatchObject({ bound_claims_type: 'string', bound_subject: 'repo:acme/api:ref:refs/heads/main', bound_claims: { repository: 'acme/api', job_workflow_ref: 'acme/api/.github/workflows/deploy.yml@refs/heads/main' }, token_no_default_policy: true });
  });

  test('aws-trust: StringEquals on aud and the exact sub, GetSecretValue on the runner\'s own prefix only; --workflow refused (IAM sees only aud and sub)', () => {
    const t = awsTrust(B, { account: '123456789012', region: 'eu-west-1', prefix: 'rekey/ci' });
    const st = (t.trustPolicy.Statement as Record<string, any>[])[0]!;
    expect(st).toEqual({
      Effect: 'Allow',
      Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com' },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': 'repo:acme/api:environment:nightly' } },
    });
    expect(JSON.stringify(t.trustPolicy)).not.toMatch(/StringLike|\*/);
    expect((t.permissionsPolicy.Statement as Record<string, unknown>[])[0]!.Resource).toBe('arn:aws:secretsmanager:eu-west-1:123456789012:secret:rekey/ci/gha-nightly/*');
    expect(() => awsTrust(A, { account: '123456789012', region: 'eu-west-1', prefix: 'rekey/ci' })).toThrow(/IAM conditions .* only aud and sub/);
    expect(() => awsTrust({ ...B, repo: 'acme/*' }, { account: '123456789012', region: 'eu-west-1', prefix: 'rekey/ci' })).toThrow(/wildcard/);
  });
});
