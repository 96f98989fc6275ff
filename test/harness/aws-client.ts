import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The real SDK client pointed at a loopback endpoint, with SDK retries off (rekey's own retry layer is in charge). */
export function awsClientFor(endpoint: string): SecretsManagerClient {
  return new SecretsManagerClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'AKIDREKEYTEST000000', secretAccessKey: 'rekey-test-secret-access-key' },
    maxAttempts: 1,
  });
}
