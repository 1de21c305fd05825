// A job's build/test/lint checks: run the project's command; with auto_fix, let the model fix
// the files from the command's output and run it again.
import { commandOnFiles } from '../core/job';
import { confineToDeclared, parseGeneratedFiles } from '../core/output-parse';
import type { JobRun } from './job-run';

/** verify_build then verify_tests. */
export async function runChecks(run: JobRun): Promise<void> {
  const c = run.settings.checks;
  if (c.verifyBuild) await runCheck(run, 'build', c.buildCommand, c.autoFix);
  if (c.verifyTests && c.testCommand) {
    run.status('pending_test_run');
    await runCheck(run, 'test', c.testCommand, c.autoFix);
  }
}

/** fix / fix-all: the lint command on the job's declared outputs, fixed by the model. */
export async function runLintFix(run: JobRun, outputs: string[]): Promise<void> {
  const lint = run.settings.checks.lintCommand;
  await runCheck(run, 'lint', lint && commandOnFiles(lint, outputs), true);
}

async function runCheck(run: JobRun, name: 'build' | 'test' | 'lint', command: string | undefined, autoFix: boolean): Promise<void> {
  if (!command) {
    if (name === 'lint') await run.fail('InvalidProject', 'no [build] lint_command in worksplit.toml to check the files with');
    return;
  }
  const c = run.settings.checks;
  const attempts = name === 'lint' ? Math.max(1, c.autoFixAttempts) : c.autoFixAttempts;
  for (let fix = 0; ; fix++) {
    run.enter(name === 'build' ? 'building' : name === 'test' ? 'running tests' : 'fixing', command);
    await run.flush();
    const r = await run.commands.runProjectCommand({ root: run.root, command, timeoutSeconds: c.commandTimeoutSeconds });
    if (r.ok) return;
    if (!autoFix || fix >= attempts) {
      await run.fail(name === 'build' ? 'BuildFailed' : name === 'test' ? 'TestsFailed' : 'LintFailed', `${name} command failed (${r.timedOut ? 'timed out' : `exit ${r.exitCode}`})${fix > 0 ? ` after ${fix} auto-fix attempt(s)` : ''}: ${command}\n${r.output}`);
    }
    run.enter('fixing', `${name} output`);
    const current = await run.readFiles(run.outputs);
    const { text } = await run.ask({ kind: 'fix', command, output: r.output, files: current });
    const parsed = parseGeneratedFiles(text, run.job!.outputPath, run.newerAnswerRules);
    const confined = parsed.ok ? confineToDeclared(parsed.files, run.outputs, run.newerNameRules) : parsed;
    if (confined.ok) await run.write(confined.files); // an unusable fix counts as an attempt
  }
}
