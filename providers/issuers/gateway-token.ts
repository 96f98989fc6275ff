import { randomBytes } from 'node:crypto';
import type { Issuer } from '../../src/core/ports.js';
import { SecretValue } from '../../src/core/secret-value.js';
import type { GatewayTokenIssuerConfig } from './gateway-token.schema.js';

/**
 * The Gateway token as an Issuer: minted here (CSPRNG, URL-safe), nothing upstream to ask. The
 * Gateway holds exactly one token, so a token is "active" until a rotation replaces it; retiring
 * the old one needs no call — after the restart the Gateway refuses it, and the gateway probe
 * verifier proved that before the promote (it connects with the old token and must be refused).
 */
export function createGatewayTokenIssuer(cfg: Pick<GatewayTokenIssuerConfig, 'bytes'>, random: (n: number) => Buffer = randomBytes): Issuer {
  return {
    kind: 'gateway-token',
    can: { mint: true, retire: true, unretire: false },
    async mint() {
      const value = SecretValue.of(random(cfg.bytes).toString('base64url'));
      return { value, id: value.fingerprint };
    },
    /** no registry upstream: nothing to look up (a retired token is one the Gateway no longer holds) */
    async find() {
      return null;
    },
    async retire(value) {
      return { id: value.fingerprint, status: 'inactive' };
    },
  };
}
