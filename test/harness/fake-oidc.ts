/**
 * A loopback OIDC issuer as GitHub Actions runs one for its jobs: the JWKS at
 * `/.well-known/jwks` (one RS256 key, kid k1) and ID tokens signed in the test with the claims a
 * job's token carries (iss = GitHub's issuer, iat/nbf/exp around now). `sign` with `key` signs with
 * another key (a forger); the loopback Vault's JWT auth fetches the JWKS from `jwksUrl`.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { startLoopbackServer } from './loopback-server.js';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface FakeOidc {
  jwksUrl: string;
  /** an ID token with these claims over the defaults (iss, iat, nbf, exp) */
  idToken(claims: Record<string, unknown>, key?: KeyObject): string;
  close(): Promise<void>;
}

export async function startFakeOidc(): Promise<FakeOidc> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };
  const server = await startLoopbackServer((req, res) => {
    const jwks = req.url === '/.well-known/jwks';
    res.writeHead(jwks ? 200 : 404, { 'content-type': 'application/json' });
    res.end(jwks ? JSON.stringify({ keys: [jwk] }) : '{}');
  });
  return {
    jwksUrl: `${server.url}/.well-known/jwks`,
    idToken(claims, key = privateKey) {
      const now = Math.floor(Date.now() / 1000);
      const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const body = `${enc({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${enc({ iss: GITHUB_ISSUER, iat: now, nbf: now - 5, exp: now + 300, ...claims })}`;
      return `${body}.${sign('RSA-SHA256', Buffer.from(body), key).toString('base64url')}`;
    },
    close: () => server.close(),
  };
}
