#!/usr/bin/env node
/**
 * The `rekey` executable. `--help` and `--version` answer from here, before any adapter or SDK is
 * loaded; everything else loads the CLI (src/cli/main.ts).
 */
import { HELP } from './args.js';
import { commandHelp, commandWords, version } from './usage.js';

const argv = process.argv.slice(2);
const dd = argv.indexOf('--');
const head = dd >= 0 ? argv.slice(0, dd) : argv;
if (head.includes('--version')) {
  process.stdout.write(`rekey ${version()}\n`);
} else if (head.includes('--help') || head.includes('-h')) {
  process.stdout.write(commandHelp(commandWords(head).join(' ')) ?? HELP);
} else {
  const { runCli } = await import('./main.js');
  runCli();
}
