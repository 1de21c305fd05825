// Running the built CLI as a separate process (worker crashes, end-to-end commands).
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';

export const CLI = path.join(__dirname, '..', '..', 'bin', 'worksplit.js');

export interface Spawned {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** A CLI process's environment for the suite's Temporal server (not the project's embedded one). */
export const sharedServerEnv = (): NodeJS.ProcessEnv => ({ TEMPORAL_ADDRESS: process.env.WORKSPLIT_TEST_TEMPORAL_ADDRESS! });

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Spawned {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<{ code: number | null; output: string }> {
  const p = spawnCli(args, env, cwd);
  const code = await p.exited;
  return { code, output: p.output() };
}

/** runCli for a command that could hang (a FIFO where a file should be): killed after `ms`, and
 * `timedOut` says so, so a regression fails the test instead of hanging the suite. */
export async function runCliWithin(ms: number, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  const p = spawnCli(args, env);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    p.child.kill('SIGKILL');
  }, ms);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, output: p.output(), timedOut };
}
