import { z } from 'zod';
import type { SinkSpec } from '../../src/core/adapters.js';
import { openclawCliFields, openclawPaths } from '../spec-helpers.js';

export const openclawSecretrefFileSinkConfig = z
  .strictObject({
    kind: z.literal('openclaw-secretref-file'),
    /** the file of an OpenClaw file secrets provider ({source: file, path, mode: json}); templates {agent} {env} */
    path: z.string().min(1),
    /** the SecretRef id: a JSON pointer into the file, e.g. /providers/anthropic/apiKey */
    pointer: z.string().regex(/^\/.*/, 'an absolute JSON pointer such as /providers/anthropic/apiKey'),
    /** the alias of the file secrets provider in openclaw.json (secrets.providers.<alias>), for `rekey openclaw adopt` */
    secretsProvider: z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'an OpenClaw provider alias: lower case, digits, _ and -').default('rekey'),
    /** uid or user name that must own the file (the Gateway's user); default: the user rekey runs as */
    owner: z.union([z.number().int().nonnegative(), z.string().min(1)]).optional(),
    ...openclawCliFields,
  })
  .describe('A 0600 JSON file behind an OpenClaw file SecretRef, then `openclaw secrets reload`: no restart.');
export type OpenclawSecretrefFileSinkConfig = z.infer<typeof openclawSecretrefFileSinkConfig>;

declare module '../../src/core/adapters.js' {
  interface SinkConfigs { 'openclaw-secretref-file': OpenclawSecretrefFileSinkConfig }
}

export const openclawSecretrefFileSinkSpec: SinkSpec<OpenclawSecretrefFileSinkConfig> = {
  kind: 'openclaw-secretref-file',
  layers: ['provider-key', 'gateway-token'],
  reads: () => 'secretref',
  resolve: (c, tpl) => openclawPaths({ ...c, path: tpl.path(c.path), pointer: tpl.text(c.pointer) }, tpl),
  touches: (c) => ({ files: [c.path], keychainItems: [], profiles: [] }),
  describe: (c) => c.path,
  source: () => ({ kind: 'config-apikey' }),
  fileSecretRef: (c) => ({ path: c.path, pointer: c.pointer, alias: c.secretsProvider }),
};
