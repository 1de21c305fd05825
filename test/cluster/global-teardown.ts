// The cluster keeps running for the next run (npm run cluster:stop stops it; .ci/run does).
import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  if (process.env.WORKSPLIT_TEST_TMP) rmSync(process.env.WORKSPLIT_TEST_TMP, { recursive: true, force: true });
}
