// Running the project's build, test or lint command in the project root: a shell command with
// a timeout, its output captured and trimmed to the part that explains a failure. Used by the
// command activity and by `worksplit lint` (outside Temporal).
import spawn from 'cross-spawn';

export interface CommandRequest {
  root: string;
  command: string;
  timeoutSeconds: number;
}

export interface CommandResult {
  ok: boolean;
  exitCode: number | null;
  timedOut: boolean;
  /** Combined stdout and stderr, trimmed to its last lines. */
  output: string;
  durationMs: number;
}

const MAX_OUTPUT = 4000;

/** Run a shell command in the project root; `signal` kills its whole process group. */
export async function runShellCommand(req: CommandRequest, signal: AbortSignal = new AbortController().signal): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(req.command, { cwd: req.root, shell: true, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const take = (d: Buffer) => {
      out += d.toString('utf8');
      if (out.length > MAX_OUTPUT * 4) out = out.slice(-MAX_OUTPUT * 2);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    let timedOut = false;
    // Kill the whole process group: a shell command's own children must not outlive it.
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, req.timeoutSeconds * 1000);
    const onAbort = () => kill();
    signal.addEventListener('abort', onAbort);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) return reject(signal.reason);
      const trimmed = trimOutput(out) + (timedOut ? `\n(killed after ${req.timeoutSeconds}s)` : '');
      resolve({ ok: code === 0 && !timedOut, exitCode: code, timedOut, output: trimmed, durationMs: Date.now() - started });
    });
  });
}

export function trimOutput(out: string): string {
  const text = out.replace(/\x1b\[[0-9;]*m/g, '').trim();
  if (text.length <= MAX_OUTPUT) return text;
  return `…${text.slice(-MAX_OUTPUT)}`;
}
