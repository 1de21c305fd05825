// The `worksplit` command line: argument parsing (commander) and exit codes (SPEC §7:
// 0 success, 1 some job failed, 2 usage or configuration error).
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../core/config';
import { NoJobsFolderError } from '../activities/job-files';
import { StatusFileCorruptError } from '../activities/status-store';
import { initCommand } from './commands/init';
import { newJobCommand } from './commands/new-job';
import { runCommand } from './commands/run';
import { serverCommand } from './commands/server';
import { statusCommand } from './commands/status';
import { workerCommand } from './commands/worker';
import { UsageError, consoleOutput } from './output';

function int(name: string, min = 0) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number >= ${min}`);
    return n;
  };
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('worksplit')
    .description('Run batches of LLM code-generation jobs as durable, parallel Temporal workflows.')
    .option('-v, --verbose', 'more detail (and stack traces on errors)')
    .option('--path <dir>', 'project folder', '.')
    .showSuggestionAfterError(true)
    .exitOverride();

  const out = (quiet = false) => consoleOutput({ quiet, verbose: !!program.opts().verbose });

  program
    .command('init')
    .description('set up a project: worksplit.toml, system prompts for every mode, example jobs')
    .option('--lang <language>', 'typescript, rust, solidity or python (asked in a terminal)')
    .option('--model <name>', 'Ollama model (asked in a terminal)')
    .option('--force', 'overwrite files that exist')
    .addHelpText('after', '\nExamples:\n  worksplit init\n  worksplit --path my-crate init --lang rust --model qwen3:32b')
    .action(async (o) => {
      setExit(await initCommand({ ...o, path: program.opts().path }, out()));
    });

  program
    .command('new-job')
    .description('create a job file from a template')
    .argument('<name>', 'the job id (file name without .md)')
    .option('--type <type>', 'replace, edit, split, sequential or tdd', 'replace')
    .option('--targets <files>', 'comma-separated target files (edit, split)')
    .option('-o, --output <dir>', 'output_dir')
    .option('-f, --file <name>', 'output_file')
    .option('-c, --context <files>', 'comma-separated context files')
    .option('--force', 'overwrite the job file if it exists')
    .addHelpText('after', '\nExamples:\n  worksplit new-job add_parser -o src -f parser.ts -c src/types.ts\n  worksplit new-job fix_login --type edit --targets src/auth.ts')
    .action(async (name: string, o) => {
      setExit(await newJobCommand(name, { ...o, path: program.opts().path }, out()));
    });

  program
    .command('run')
    .description('run every ready job as a durable batch (attaches to a running batch of this project)')
    .option('--job <id>', 'run only this job, whatever its status')
    .option('--dry-run', 'print the groups and what would run; change nothing')
    .option('--resume', 'also run stuck jobs (pending_* or partial)')
    .option('--rerun', 'also run created jobs that already ran')
    .option('--model <name>', 'Ollama model (overrides [ollama] model)')
    .option('--url <url>', 'Ollama URL (overrides [ollama] url)')
    .option('--timeout <seconds>', 'model call timeout in seconds', int('--timeout', 1))
    .option('--no-stream', 'do not stream model answers')
    .option('--stop-on-fail', 'cancel the batch at the first failed job')
    .option('--max-concurrent <n>', 'jobs in flight at once (0 = unlimited)', int('--max-concurrent'))
    .option('--no-worker', 'do not run a worker in this process (workers run elsewhere)')
    .option('--no-health-check', 'skip the Ollama health check')
    .option('-q, --quiet', 'print nothing; the exit code tells')
    .addHelpText('after', '\nExamples:\n  worksplit run\n  worksplit run --max-concurrent 8 --stop-on-fail\n  worksplit run --job add_parser --model qwen3:32b\n  worksplit run --dry-run')
    .action(async (o) => {
      setExit(await runCommand({ ...o, path: program.opts().path, noStream: o.stream === false }, out(o.quiet)));
    });

  program
    .command('status')
    .description('show job statuses from jobs/_jobstatus.json')
    .option('--summary', 'one summary line only')
    .option('--json', 'machine-readable output')
    .action(async (o) => {
      setExit(await statusCommand({ ...o, path: program.opts().path, verbose: !!program.opts().verbose }, out()));
    });

  program
    .command('server')
    .description("manage this project's embedded Temporal dev server")
    .addArgument(new Command().createArgument('<action>', 'start, stop or status').choices(['start', 'stop', 'status']))
    .action(async (action: 'start' | 'stop' | 'status') => {
      setExit(await serverCommand(action, program.opts().path, out()));
    });

  program
    .command('worker')
    .description('run a standalone worker for this project and/or for model calls')
    .option('--llm-only', 'serve only model calls (a machine next to an Ollama server)')
    .option('--files-only', "serve only this project's workflows and file activities")
    .option('--llm-capacity <n>', 'model calls at once (the Ollama server capacity)', int('--llm-capacity', 1))
    .option('--url <url>', 'the Ollama server this worker calls (overrides [ollama] url)')
    .addHelpText('after', '\nExamples:\n  worksplit worker\n  TEMPORAL_ADDRESS=temporal.internal:7233 worksplit worker --llm-only --llm-capacity 2 --url http://localhost:11434')
    .action(async (o) => {
      setExit(await workerCommand({ ...o, path: program.opts().path }, out()));
    });

  return program;
}

export async function main(argv = process.argv): Promise<void> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      code = e.exitCode === 0 ? 0 : 2;
    } else {
      const usage = e instanceof UsageError || e instanceof ConfigError || e instanceof NoJobsFolderError || e instanceof StatusFileCorruptError;
      process.stderr.write(`error: ${(e as Error).message}\n`);
      if (program.opts().verbose && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
      code = usage ? 2 : 1;
    }
  }
  // Exit explicitly: open gRPC channels must not keep a finished command alive.
  process.exit(code);
}
