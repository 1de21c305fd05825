// How the CLI speaks: plain lines, colour only on a terminal (picocolors honours NO_COLOR and
// FORCE_COLOR), nothing but errors with -q.
import pc from 'picocolors';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Output {
  quiet: boolean;
  verbose: boolean;
  line(text?: string): void;
  warn(text: string): void;
  error(text: string): void;
}

export function consoleOutput(opts: { quiet?: boolean; verbose?: boolean } = {}): Output {
  const quiet = !!opts.quiet;
  return {
    quiet,
    verbose: !!opts.verbose,
    line: (text = '') => {
      if (!quiet) process.stdout.write(`${text}\n`);
    },
    warn: (text) => {
      if (!quiet) process.stderr.write(`${pc.yellow('warning:')} ${text}\n`);
    },
    error: (text) => process.stderr.write(`${pc.red('error:')} ${text}\n`),
  };
}

export const colors = pc;

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}
