/** Wrong arguments on the command line; printed as one line with exit code 2. */
export class UsageError extends Error {}

/** Splits `--name value` / `--flag` options from positional arguments. */
export function parseArgs(args: string[], flags: readonly string[] = [], usage?: string): { positional: string[]; options: Record<string, string | true> } {
  const positional: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split("=", 2);
    if (inline !== undefined) options[name] = inline;
    else if (flags.includes(name)) options[name] = true;
    else if (i + 1 < args.length) options[name] = args[++i];
    else throw new UsageError(usage ? `--${name} needs a value\n${usage}` : `--${name} needs a value`);
  }
  return { positional, options };
}
