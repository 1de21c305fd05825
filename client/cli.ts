// The `worksplit` command line: argument parsing (commander) and exit codes (SPEC §7:
// 0 success, 1 some job failed, 2 usage or configuration error).
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { MAX_CONCURRENT } from '../core/limits';
import { UsageError, consoleOutput } from './output';

// Each command's module is loaded when that command runs, so a read-only command never loads
// the Temporal worker or client it does not use (they take most of a command's start-up). With
// `require`, not `import()`: in this CommonJS build a dynamic import starts Node's ESM loader,
// 10-20 ms of a command's start-up.

/** `cancel all --wait`: how long the batch may take to stop before it is terminated. */
const DEFAULT_CANCEL_WAIT_SECONDS = 30;

function int(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number >= ${min}${max < Number.MAX_SAFE_INTEGER ? ` and <= ${max}` : ''}`);
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
      setExit(await (require('./commands/init') as typeof import('./commands/init')).initCommand({ ...o, path: program.opts().path }, out()));
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
      setExit(await (require('./commands/new-job') as typeof import('./commands/new-job')).newJobCommand(name, { ...o, path: program.opts().path }, out()));
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
    .option('--job-timeout <seconds>', 'fail a job that takes longer than this', int('--job-timeout', 1))
    .option('--no-stream', 'do not stream model answers')
    .option('--stop-on-fail', 'cancel the batch at the first failed job')
    .option('--max-concurrent <n>', 'jobs in flight at once (0 = unlimited)', int('--max-concurrent', 0, MAX_CONCURRENT))
    .option('--no-worker', 'do not run a worker in this process (workers run elsewhere)')
    .option('--no-health-check', 'skip the Ollama health check')
    .option('--watch', 'join job files added or changed while the batch runs, until it ends')
    .option('-q, --quiet', 'print nothing; the exit code tells')
    .addHelpText('after', '\nExamples:\n  worksplit run\n  worksplit run --watch\n  worksplit run --max-concurrent 8 --stop-on-fail\n  worksplit run --job add_parser --model qwen3:32b\n  worksplit run --dry-run')
    .action(async (o) => {
      setExit(await (require('./commands/run') as typeof import('./commands/run')).runCommand(runOpts(o), out(o.quiet)));
    });

  program
    .command('status')
    .description('job statuses: the live batch while one runs, jobs/_jobstatus.json otherwise')
    .option('--summary', 'one summary line only')
    .option('--json', 'machine-readable output (shape in the README)')
    .option('--watch', 'refresh every second while a batch runs')
    .addHelpText('after', '\nExamples:\n  worksplit status\n  worksplit -v status\n  worksplit status --json | jq .totals')
    .action(async (o) => {
      setExit(await (require('./commands/status') as typeof import('./commands/status')).statusCommand({ ...o, path: program.opts().path, verbose: !!program.opts().verbose }, out()));
    });

  program
    .command('server')
    .description("manage this project's embedded Temporal dev server")
    .addArgument(new Command().createArgument('<action>', 'start, stop or status').choices(['start', 'stop', 'status']))
    .action(async (action: 'start' | 'stop' | 'status') => {
      setExit(await (require('./commands/server') as typeof import('./commands/server')).serverCommand(action, program.opts().path, out()));
    });

  program
    .command('test-server')
    .description("worksplit's Ollama-protocol TEST server on loopback: try a job folder without a model")
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', int('--port'), 11435)
    .option('--replies <dir>', 'answer with the files in DIR, by output path (placeholders for the rest)')
    .option('--model <name...>', "model names it answers for (default: the project's [ollama] model)")
    .addHelpText('after', '\nExamples:\n  worksplit test-server                 # then: worksplit run --url http://127.0.0.1:11435\n  worksplit test-server --port 0 --replies recorded/')
    .action(async (o) => {
      setExit(await (require('./commands/test-server') as typeof import('./commands/test-server')).testServerCommand({ ...o, path: program.opts().path }, out()));
    });

  program
    .command('worker')
    .description('run a standalone worker for this project and/or for model calls')
    .option('--llm-only', 'serve only model calls (a machine next to an Ollama server)')
    .option('--files-only', "serve only this project's workflows and file activities")
    .option('--llm-capacity <n>', 'model calls at once (the Ollama server capacity)', int('--llm-capacity', 1))
    .option('--url <url>', 'the Ollama server this worker calls (overrides [ollama] url)')
    .option('--key-file <file>', "the project's payload key (a copy of its .worksplit/payload.key; or its text in WORKSPLIT_PAYLOAD_KEY): needed by an LLM worker on another machine")
    .addHelpText('after', '\nExamples:\n  worksplit worker\n  TEMPORAL_ADDRESS=temporal.internal:7233 worksplit worker --llm-only --llm-capacity 2 --url http://localhost:11434 --key-file ~/project.key')
    .action(async (o) => {
      setExit(await (require('./commands/worker') as typeof import('./commands/worker')).workerCommand({ ...o, path: program.opts().path }, out()));
    });

  const path = () => program.opts().path as string;
  const runOpts = (o: Record<string, unknown>) => ({ ...o, path: path(), noStream: o.stream === false, jobTimeout: o.jobTimeout as number | undefined });

  program.command('validate').description('check the folder, worksplit.toml, every job, dependencies and system prompts').action(async () => setExit(await (require('./commands/validate') as typeof import('./commands/validate')).validateCommand(path(), out())));
  program.command('deps').description('show what each job waits for, and the execution groups').action(async () => setExit(await (require('./commands/deps') as typeof import('./commands/deps')).depsCommand(path(), out())));
  program
    .command('preview')
    .description("print exactly what a job's first model call sends")
    .argument('<job>', 'job id')
    .action(async (job: string) => setExit(await (require('./commands/preview') as typeof import('./commands/preview')).previewCommand(path(), job, out())));
  program
    .command('reset')
    .description('put a job (or all jobs) back to created')
    .argument('<job>', 'job id, or all')
    .option('--status <status>', 'only jobs in this status (e.g. fail)')
    .addHelpText('after', '\nExamples:\n  worksplit reset add_parser\n  worksplit reset all --status fail')
    .action(async (job: string, o) => setExit(await (require('./commands/reset') as typeof import('./commands/reset')).resetCommand(path(), job, o.status, out())));
  program
    .command('retry')
    .description('run one job again now, or (--failed) a new batch over failed, skipped and cancelled jobs')
    .argument('[job]', 'job id')
    .option('--failed', 'every failed, partial, skipped or cancelled job')
    .option('--max-concurrent <n>', 'jobs in flight at once', int('--max-concurrent', 0, MAX_CONCURRENT))
    .option('-q, --quiet', 'print nothing; the exit code tells')
    .action(async (job: string | undefined, o) => setExit(await (require('./commands/retry') as typeof import('./commands/retry')).retryCommand({ ...runOpts(o), target: job, failed: o.failed }, out(o.quiet))));
  program
    .command('cancel')
    .description('cancel a job (or all) of the running batch; its stream is aborted')
    .argument('<job>', 'job id, or all')
    .option('--wait <seconds>', 'with all: how long the batch may take to stop before it is terminated', int('--wait', 1), DEFAULT_CANCEL_WAIT_SECONDS)
    .action(async (job: string, o) => setExit(await (require('./commands/cancel') as typeof import('./commands/cancel')).cancelCommand(path(), job, out(), o.wait)));
  program.command('pause').description('running jobs finish; no new job starts until resume').action(async () => setExit(await (require('./commands/control') as typeof import('./commands/control')).pauseCommand(path(), out())));
  program.command('resume').description('let a paused batch start jobs again').action(async () => setExit(await (require('./commands/control') as typeof import('./commands/control')).resumeCommand(path(), out())));
  program
    .command('concurrency')
    .description('change max_concurrent of the running batch, at once')
    .argument('<n>', 'jobs at once (0 = unlimited)', int('concurrency', 0, MAX_CONCURRENT))
    .action(async (n: number) => setExit(await (require('./commands/control') as typeof import('./commands/control')).concurrencyCommand(path(), n, out())));
  program
    .command('ui')
    .description("print the Web UI address of this project's batch")
    .option('--open', 'open it in the browser')
    .action(async (o) => setExit(await (require('./commands/ui') as typeof import('./commands/ui')).uiCommand(path(), !!o.open, out())));
  program
    .command('lint')
    .description('run [build] lint_command (on one job\'s outputs with --job)')
    .option('--job <id>', 'lint this job\'s outputs')
    .action(async (o) => setExit(await (require('./commands/lint') as typeof import('./commands/lint')).lintCommand(path(), o.job, out())));
  program
    .command('fix')
    .description("lint a job's outputs and let the model fix the findings")
    .argument('<job>', 'job id')
    .action(async (job: string) => setExit(await (require('./commands/fix') as typeof import('./commands/fix')).fixCommand({ path: path(), target: job }, out())));
  program.command('fix-all').description('fix every passed job (lint + model fixes)').action(async () => setExit(await (require('./commands/fix') as typeof import('./commands/fix')).fixCommand({ path: path(), all: true }, out())));
  program
    .command('archive')
    .description('move passed jobs older than N days to jobs/archive/')
    .option('--days <n>', 'age in days (default [archive] days)', int('--days'))
    .option('--dry-run', 'list what would move')
    .action(async (o) => setExit(await (require('./commands/archive') as typeof import('./commands/archive')).archiveCommand(path(), o, out())));
  program
    .command('cleanup')
    .description('delete archived jobs older than N days')
    .option('--days <n>', 'age in days (default [cleanup] days)', int('--days'))
    .option('--dry-run', 'list what would be deleted')
    .action(async (o) => setExit(await (require('./commands/archive') as typeof import('./commands/archive')).cleanupCommand(path(), o, out())));
  program.command('readme').description('print the guide to writing and running jobs').action(async () => setExit(await (require('./commands/readme') as typeof import('./commands/readme')).readmeCommand(out())));

  // Every command's help ends with examples.
  const examples: Record<string, string[]> = {
    server: ['worksplit server status', 'worksplit --path ../other server stop'],
    worker: [],
    validate: ['worksplit validate', 'worksplit --path my-project validate'],
    deps: ['worksplit deps'],
    preview: ['worksplit preview add_parser', 'worksplit preview add_parser | less'],
    retry: ['worksplit retry add_parser', 'worksplit retry --failed --max-concurrent 2'],
    cancel: ['worksplit cancel add_parser', 'worksplit cancel all'],
    pause: ['worksplit pause'],
    resume: ['worksplit resume'],
    concurrency: ['worksplit concurrency 8', 'worksplit concurrency 0   # unlimited'],
    ui: ['worksplit ui', 'worksplit ui --open'],
    lint: ['worksplit lint', 'worksplit lint --job add_parser'],
    fix: ['worksplit fix add_parser'],
    'fix-all': ['worksplit fix-all'],
    archive: ['worksplit archive --dry-run', 'worksplit archive --days 7'],
    cleanup: ['worksplit cleanup --dry-run', 'worksplit cleanup --days 60'],
    readme: ['worksplit readme | less'],
  };
  for (const cmd of program.commands) {
    const ex = examples[cmd.name()];
    if (ex?.length) cmd.addHelpText('after', `\nExamples:\n${ex.map((e) => `  ${e}`).join('\n')}`);
  }

  return program;
}

/** Errors that mean "fix the project or the command line" (exit 2): besides a bad configuration
 * or status file, one of the tool's own files that is no regular file (a FIFO, a folder), too large,
 * or a symlink where none may be. Their modules are loaded already when one of them was thrown, so
 * importing them here costs nothing then. */
function isConfigurationError(e: unknown): boolean {
  const { ConfigError } = require('../core/config') as typeof import('../core/config');
  const { UnsafePathError } = require('../core/paths') as typeof import('../core/paths');
  const { NoJobsFolderError } = require('../project/jobs-folder') as typeof import('../project/jobs-folder');
  const { LimitExceededError, ProjectFileError } = require('../project/project-fs') as typeof import('../project/project-fs');
  const { StatusFileCorruptError } = require('../project/status-store') as typeof import('../project/status-store');
  return e instanceof ConfigError || e instanceof NoJobsFolderError || e instanceof StatusFileCorruptError || e instanceof ProjectFileError || e instanceof LimitExceededError || e instanceof UnsafePathError;
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
      const usage = e instanceof UsageError || isConfigurationError(e);
      process.stderr.write(`error: ${errorMessage(e)}\n`);
      if (program.opts().verbose && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
      // Ctrl-C at one of init's questions ends like Ctrl-C anywhere else.
      code = e instanceof Error && e.name === 'ExitPromptError' ? 130 : usage ? 2 : 1;
    }
  }
  // Exit explicitly: open gRPC channels must not keep a finished command alive.
  process.exit(code);
}

/** The message worth printing: Temporal wraps the reason a workflow failed in causes
 * ("Workflow execution failed" <- "Activity task failed" <- the reason), so the innermost one says
 * what happened. */
function errorMessage(e: unknown): string {
  let m = e as { message?: string; cause?: unknown };
  const outer = m.message ?? String(e);
  while (m.cause && typeof m.cause === 'object') m = m.cause as typeof m;
  return m.message && m.message !== outer ? `${outer}: ${m.message}` : outer;
}
