#!/usr/bin/env node
/**
 * The `rekey` executable. `--help` (from help.json, built with dist) and `--version` answer from here, before any adapter or SDK is
 * loaded; everything else loads the CLI (src/cli/main.ts). On Node 22.1+ compiled code is cached
 * on disk (module.enableCompileCache: the OS temp dir, or NODE_COMPILE_CACHE), so a second start
 * skips parsing and compiling rekey, zod and the adapters; every module is imported after it.
 */
import module from 'node:module';
import type { HelpData } from './help-words.js';

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const argv = process.argv.slice(2);
const dd = argv.indexOf('--');
const head = dd >= 0 ? argv.slice(0, dd) : argv;
if (head.includes('--version')) {
  const { version } = await import('./version.js');
  process.stdout.write(`rekey ${version()}\n`);
} else if (head.includes('--help') || head.includes('-h')) {
  // the texts built into help.json at build time; without it (a tsc-only build), from the commands
  const [{ readFileSync }, { wordsOf }] = await Promise.all([import('node:fs'), import('./help-words.js')]);
  let data: HelpData | null = null;
  try {
    data = JSON.parse(readFileSync(new URL('./help.json', import.meta.url), 'utf8')) as HelpData;
  } catch {
    data = null;
  }
  if (data) process.stdout.write(data.commands[wordsOf(head, new Set(data.valueOptions), new Set(data.groups)).join(' ')] ?? data.main);
  else {
    const [{ HELP }, { commandHelp, commandWords }] = await Promise.all([import('./args.js'), import('./usage.js')]);
    process.stdout.write(commandHelp(commandWords(head).join(' ')) ?? HELP);
  }
} else {
  const { runCli } = await import('./main.js');
  runCli();
}
