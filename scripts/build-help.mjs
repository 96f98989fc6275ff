// After tsc: every help text of the CLI into dist/src/cli/help.json, so `rekey --help` and
// `rekey <command> --help` answer from one small file without loading a command module.
import { writeFileSync } from 'node:fs';

const { helpData } = await import(new URL('../dist/src/cli/args.js', import.meta.url));
writeFileSync(new URL('../dist/src/cli/help.json', import.meta.url), JSON.stringify(helpData()));
