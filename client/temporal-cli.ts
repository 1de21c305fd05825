// Finding the Temporal CLI: an explicit path, then `temporal` on PATH, then the copy the
// package's install step put in .tools/ (scripts/install-temporal.js). When that step never ran
// (npm 11 skips the install scripts of `npm install -g` unless allowed), the first command that
// needs the CLI runs it.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../worker/bundle';

interface InstallScript {
  installTemporal(log: (line: string) => void): string | undefined;
  INSTALL_COMMAND: string;
}

function installScript(): InstallScript {
  // Plain JavaScript shipped beside dist/ (it must run at `npm install`, before a build).
  return require(path.join(packageRoot(), 'scripts', 'install-temporal.js')) as InstallScript;
}

export function findTemporalCli(): string {
  const explicit = process.env.WORKSPLIT_TEMPORAL_CLI;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`WORKSPLIT_TEMPORAL_CLI points at ${explicit}, which does not exist`);
    return explicit;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, 'temporal');
    if (existsSync(p)) return p;
  }
  const local = path.join(packageRoot(), '.tools', 'temporal', 'bin', 'temporal');
  if (existsSync(local)) return local;
  const script = installScript();
  // Progress goes to stderr: stdout may be machine-read (`status --json`).
  const installed = script.installTemporal((line) => process.stderr.write(`${line}\n`));
  if (installed) return installed;
  throw new Error(`the Temporal CLI was not found and could not be installed: put \`temporal\` on PATH, or run ${script.INSTALL_COMMAND}`);
}

/** Dynamic config every dev server we start gets. The history service's queue processors poll
 * their queues at most 20 times a second by default, so every hand-off (a child started, an
 * activity scheduled, a workflow task after an activity) waited for the next 50 ms tick: a job
 * with instant model answers took 400 ms of pure waiting. A single-user dev server has the CPU to
 * poll as fast as work arrives. (Task-queue partitions, `matching.numTaskqueue*Partitions`, were
 * measured too and do not matter here; see BENCHMARKS.md.) */
export const DEV_SERVER_DYNAMIC_CONFIG = [
  'history.transferProcessorMaxPollRPS=1000',
  'history.timerProcessorMaxPollRPS=1000',
  'history.visibilityProcessorMaxPollRPS=1000',
];

export function dynamicConfigArgs(values: string[]): string[] {
  return values.flatMap((kv) => ['--dynamic-config-value', kv]);
}
