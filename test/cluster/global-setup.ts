// The cluster tier's Temporal: `npm run cluster:start` (scripts/cluster/start.sh), which builds the
// server once into a cache outside the repository, starts PostgreSQL and the server (or finds them
// running) and prints TEMPORAL_ADDRESS=<host:port> last. The tests reach it as the deployment
// guide says: TEMPORAL_ADDRESS in the environment (docs/deploy.md).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export default async function globalSetup(): Promise<void> {
  const root = path.join(__dirname, '..', '..');
  let out: string;
  try {
    out = execFileSync('npm', ['run', '--silent', 'cluster:start'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  } catch (e) {
    throw new Error(`npm run cluster:start failed (scripts/cluster/start.sh; it needs Go for the one-time build and PostgreSQL 15: apt-get install -y postgresql-15): ${(e as Error).message}`, { cause: e });
  }
  const last = out.trim().split('\n').pop() ?? '';
  const m = /^TEMPORAL_ADDRESS=(\S+)$/.exec(last);
  if (!m) throw new Error(`npm run cluster:start did not end with TEMPORAL_ADDRESS=<host:port>:\n${out}`);
  process.env.WORKSPLIT_CLUSTER_ADDRESS = m[1];
  process.env.WORKSPLIT_TEST_TMP = mkdtempSync(path.join(os.tmpdir(), 'worksplit-cluster-test-'));
}
