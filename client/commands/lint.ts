// `worksplit lint [--job ID]`: run [build] lint_command in the project root, on the job's
// outputs when a job is named.
import { commandOnFiles, declaredOutputs, formatProblem } from '../../core/job';
import { readJobFile } from '../../project/job-files';
import { runShellCommand } from '../../project/shell-command';
import { Output, UsageError } from '../output';
import { loadProject } from '../project';

export async function lintCommand(dir: string, job: string | undefined, out: Output): Promise<number> {
  const { ref, config } = await loadProject(dir);
  const base = config.build.lint_command;
  if (!base) throw new UsageError('no [build] lint_command in worksplit.toml');
  let command = base;
  if (job) {
    const r = await readJobFile(ref.root, job, config.limits.max_context_files).catch(() => undefined);
    if (!r) throw new UsageError(`no job "${job}" in jobs/`);
    if (!r.ok) throw new UsageError(r.problems.map(formatProblem).join('; '));
    command = commandOnFiles(base, declaredOutputs(r.job));
  }
  const res = await runShellCommand({ root: ref.root, command, timeoutSeconds: config.build.command_timeout_seconds });
  if (res.output) out.line(res.output);
  out.line(res.ok ? `lint passed: ${command}` : `lint failed (${res.timedOut ? 'timed out' : `exit ${res.exitCode}`}): ${command}`);
  return res.ok ? 0 : 1;
}
