import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { PolicyError, type PolicyIssue } from '../core/errors.js';
import { checkRules } from './rules.js';
import type { AdapterCatalog } from '../core/adapters.js';
import type { Policy, PolicySchema } from './schema.js';

/** Policies larger than this are refused before parsing (a policy is a few KiB). */
export const MAX_POLICY_BYTES = 1024 * 1024;

function dotPath(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

function hintFor(issue: z.core.$ZodIssue): string | undefined {
  switch (issue.code) {
    case 'unrecognized_keys':
      return 'remove it, or check its spelling against policies/policy.schema.json';
    case 'invalid_union':
      return 'check `kind` (or `layer`) against the kinds listed in policies/policy.schema.json';
    case 'invalid_type':
      return issue.input === undefined ? 'this field is required' : undefined;
    default:
      return undefined;
  }
}

/**
 * A policy parser over the schema and adapters the registry assembles (providers/registry.ts
 * exports the one rekey uses).
 */
export function createPolicyLoader(policySchema: PolicySchema, adapters: AdapterCatalog): { parsePolicy: (text: string, file?: string, opts?: { home?: string }) => Policy } {
  return { parsePolicy: (text, file = 'policy', opts = {}) => parsePolicyWith(policySchema, adapters, text, file, opts) };
}

/**
 * Parse and validate policy text: YAML → schema (every issue with its dot-path) → cross-field
 * rules (every issue). Pure: the caller reads the file. `home`: expands ~ in sink paths when
 * comparing them (the one-owner rule sees ~/x and /home/u/x as one file).
 */
function parsePolicyWith(policySchema: PolicySchema, adapters: AdapterCatalog, text: string, file: string, opts: { home?: string }): Policy {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) {
    throw new PolicyError(file, [{ path: '(root)', message: `the file is larger than ${MAX_POLICY_BYTES} bytes`, hint: 'a policy is a few KiB; is this the right file?' }]);
  }
  let doc;
  try {
    doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    // e.g. a stack overflow on absurd nesting: still a clear policy error, never a crash
    throw new PolicyError(file, [{ path: '(root)', message: `YAML: cannot parse (${(e as Error).name})`, hint: 'is this a policy file? nesting this deep is not one' }]);
  }
  if (doc.errors.length > 0) {
    // the first errors locate the mistake; the rest are its echo
    const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
    const issues = doc.errors.slice(0, 3).map((e) => ({
      path: `line ${lineOf(e.pos[0])}`,
      message: `YAML: ${e.message.split('\n')[0]}`,
      ...(/flow/i.test(e.message) ? { hint: 'a {template} inside a flow map { … } must be quoted: path: "~/.openclaw-{env}/.env"' } : {}),
    }));
    throw new PolicyError(file, issues);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new PolicyError(file, [{ path: '(root)', message: `YAML: ${(e as Error).message.split('\n')[0]}` }]);
  }
  if (data === null || data === undefined) {
    throw new PolicyError(file, [{ path: '(root)', message: 'the policy is empty', hint: 'run `rekey init` for a starter policy' }]);
  }
  let parsed;
  try {
    parsed = policySchema.safeParse(data);
  } catch (e) {
    throw new PolicyError(file, [{ path: '(root)', message: `cannot validate (${(e as Error).name})`, hint: 'is this a policy file?' }]);
  }
  if (!parsed.success) {
    const issues: PolicyIssue[] = parsed.error.issues.map((i) => {
      const keys = i.code === 'unrecognized_keys' ? ` (${i.keys.join(', ')})` : '';
      const hint = hintFor(i);
      return { path: dotPath(i.path), message: `${i.message}${keys}`, ...(hint ? { hint } : {}) };
    });
    throw new PolicyError(file, issues);
  }
  const ruleIssues = checkRules(parsed.data, adapters, opts);
  if (ruleIssues.length > 0) throw new PolicyError(file, ruleIssues);
  return parsed.data;
}
