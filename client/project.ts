// The project a command works on: its root, identity, configuration and task queues.
import { createHash } from 'node:crypto';
import { existsSync, realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Config, ConfigOverrides, applyOverrides, parseConfig } from '../core/config';
import { answerTokenBudget } from '../core/context-window';
import { taskQueues } from '../core/ids';
import { readConfigText } from '../project/project-config';
import type { ProjectRef, RunSettings, TaskQueues } from '../workflows/types';
import { UsageError } from './output';

export interface Project {
  ref: ProjectRef;
  config: Config;
  warnings: string[];
  queues: TaskQueues;
}

export async function loadProject(dir: string, overrides: ConfigOverrides = {}): Promise<Project> {
  if (!existsSync(path.resolve(dir))) throw new UsageError(`the project folder ${path.resolve(dir)} does not exist`);
  const root = realpathSync(path.resolve(dir));
  if (!statSync(root).isDirectory()) throw new UsageError(`the project folder ${root} is a file, not a folder`);
  assertInsideRoot(root, 'jobs');
  assertInsideRoot(root, 'worksplit.toml');
  const text = await readConfigText(path.join(root, 'worksplit.toml'));
  const { config, warnings } = parseConfig(text, 'worksplit.toml');
  const ref = projectRef(root);
  const merged = applyOverrides(config, overrides);
  return { ref, config: merged, warnings, queues: taskQueues(merged.temporal.task_queue, ref.key) };
}

/** The tool's own files (jobs/ with its status file and prompts, the configuration) must be the
 * project's: a symbolic link that leads them outside the root would have the tool read and write
 * another folder's files. */
function assertInsideRoot(root: string, name: string): void {
  const p = path.join(root, name);
  if (!existsSync(p)) return;
  const real = realpathSync(p);
  if (real !== p && !real.startsWith(root + path.sep)) throw new UsageError(`${name} is a symbolic link to ${real}, outside the project ${root}; the tool only works on the project's own ${name}`);
}

export function projectRef(root: string): ProjectRef {
  const name = (path.basename(root) || 'project').replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40);
  const hash = createHash('sha256').update(root).digest('hex').slice(0, 8);
  return { root, name, key: `${name}-${hash}` };
}

export function runSettings(config: Config, extra: { heartbeatSeconds?: number; fileActivitySeconds?: number } = {}): RunSettings {
  const o = config.ollama;
  return {
    llm: {
      url: o.url,
      model: o.model,
      // The activity's start-to-close covers both phases of a call; each has its own limit inside.
      timeoutSeconds: o.first_byte_seconds + o.timeout_seconds,
      answerSeconds: o.timeout_seconds,
      firstByteSeconds: o.first_byte_seconds,
      stallSeconds: o.stall_seconds,
      answerTokens: answerTokenBudget(config.limits.max_output_lines),
      stream: config.behavior.stream_output,
      maxAnswerBytes: config.limits.max_file_bytes,
      verdicts: o.verdicts,
      ...(o.think !== undefined ? { think: o.think } : {}),
      ...(o.options ? { options: o.options } : {}),
    },
    limits: {
      maxContextFiles: config.limits.max_context_files,
      maxContextLines: config.limits.max_context_lines,
      maxPromptTokens: config.limits.max_prompt_tokens,
      maxOutputLines: config.limits.max_output_lines,
    },
    createOutputDirs: config.behavior.create_output_dirs,
    maxConcurrent: config.batch.max_concurrent,
    stopOnFail: config.batch.stop_on_fail,
    heartbeatSeconds: extra.heartbeatSeconds ?? config.temporal.heartbeat_seconds,
    fileActivitySeconds: extra.fileActivitySeconds ?? config.temporal.activity_seconds,
    checks: {
      ...(config.build.build_command ? { buildCommand: config.build.build_command } : {}),
      ...(config.build.test_command ? { testCommand: config.build.test_command } : {}),
      ...(config.build.lint_command ? { lintCommand: config.build.lint_command } : {}),
      verifyBuild: config.build.verify_build,
      verifyTests: config.build.verify_tests,
      autoFix: config.build.auto_fix,
      autoFixAttempts: config.build.auto_fix_attempts,
      commandTimeoutSeconds: config.build.command_timeout_seconds,
    },
  };
}
