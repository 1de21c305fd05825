// Workflow inputs are not trusted: anyone who can reach the Temporal server can start a workflow
// on a project's queue with any input. A worker's file activities act only on the project it
// serves, and run only the commands that project's own worksplit.toml names.
import { ApplicationFailure } from '@temporalio/common';
import { normalizeProjectPath } from '../core/paths';
import type { CommandRequest } from '../project/shell-command';
import { projectConfig } from '../project/project-config';
import { finalFailure } from './failures';

export function foreignProject(root: unknown, served: string): ApplicationFailure {
  return finalFailure(`this worker serves the project at ${served}; it refuses a request for ${typeof root === 'string' ? root.slice(0, 300) : 'no project'}`, 'ForeignProject');
}

/** `fn`, refusing any request whose root is not the served project. */
export function servingOnly<Req extends { root: string }, R>(served: string, fn: (req: Req) => Promise<R>): (req: Req) => Promise<R> {
  return async (req) => {
    if (req?.root !== served) throw foreignProject(req?.root, served);
    return fn(req);
  };
}

/**
 * The command request as the project's worksplit.toml allows it: the command is its build command
 * with verify_build on, its test command with verify_tests on, or its lint command, or the lint command followed by single-quoted project paths (what `fix` runs);
 * the timeout is the file's. Anything else is refused as NotConfigured.
 */
export async function configuredCommand(req: CommandRequest): Promise<CommandRequest> {
  const b = (await projectConfig(req.root)).build;
  const timeoutSeconds = b.command_timeout_seconds;
  // The switches count too, not just the text: a workflow's input must not turn on a build the
  // project's owner left off (an answer may have rewritten what the build runs).
  if (b.build_command === req.command && b.verify_build) return { ...req, timeoutSeconds };
  if (b.test_command === req.command && b.verify_tests) return { ...req, timeoutSeconds };
  if (b.lint_command === req.command) return { ...req, timeoutSeconds };
  if (b.lint_command && req.command.startsWith(`${b.lint_command} `) && quotedPaths(req.command.slice(b.lint_command.length + 1))) {
    return { ...req, timeoutSeconds };
  }
  throw finalFailure(`refused to run ${JSON.stringify(req.command.slice(0, 200))}: it is not a build (with verify_build), test (with verify_tests) or lint command of ${req.root}/worksplit.toml`, 'NotConfigured');
}

/** Whether `s` is only single-quoted project paths (no shell syntax, no options). */
function quotedPaths(s: string): boolean {
  const arg = /^'((?:[^']|'\\'')*)'(?: |$)/;
  let rest = s;
  while (rest !== '') {
    const m = arg.exec(rest);
    if (!m) return false;
    const p = m[1].replace(/'\\''/g, "'");
    try {
      normalizeProjectPath(p);
    } catch {
      return false;
    }
    if (p.startsWith('-')) return false;
    rest = rest.slice(m[0].length);
  }
  return true;
}
