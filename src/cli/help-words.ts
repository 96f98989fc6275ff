/**
 * The command words of an argv (options and their values skipped; nothing after `--`): the first
 * word, or the first two for a command group (`rekey openclaw adopt`). Pure, on data: the CLI
 * passes the live command table's options and groups, `rekey --help` the ones built into
 * help.json (scripts/build-help.mjs), so help answers without loading a command module.
 */
export function wordsOf(argv: readonly string[], valueOptions: ReadonlySet<string>, groups: ReadonlySet<string>): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (valueOptions.has(a)) i++;
    else if (!a.startsWith('-')) words.push(a);
  }
  return words[0] && groups.has(words[0]) ? words.slice(0, 2) : words.slice(0, 1);
}

/** what scripts/build-help.mjs writes beside bin.js */
export interface HelpData {
  main: string;
  valueOptions: string[];
  groups: string[];
  /** command words → its help */
  commands: Record<string, string>;
}
