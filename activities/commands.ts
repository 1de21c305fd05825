// The build, test or lint command as an activity: the project's shell command
// (project/shell-command.ts), heartbeating so that a cancel reaches it.
import { cancellationSignal, heartbeat } from '@temporalio/activity';
import { CommandRequest, CommandResult, runShellCommand } from '../project/shell-command';

/** What the command activity heartbeats (the Web UI shows it on the pending activity). */
export interface CommandHeartbeat {
  command: string;
  elapsedMs: number;
}

/** The activity: the command, its process group killed when Temporal cancels it. A cancel
 * reaches an activity only through a heartbeat's answer, and a dead worker is noticed only by the
 * heartbeat timeout, so it heartbeats on a timer for as long as the command runs. */
export async function runProjectCommand(req: CommandRequest): Promise<CommandResult> {
  const started = Date.now();
  const beat = setInterval(() => heartbeat({ command: req.command, elapsedMs: Date.now() - started } satisfies CommandHeartbeat), 500);
  try {
    return await runShellCommand(req, cancellationSignal());
  } finally {
    clearInterval(beat);
  }
}

