// A process that hosts workers runs V8 with WORKER_V8_FLAGS, as if started with them: V8's
// cached-data version tag is derived from its flags, so it tells which are in effect.
import { spawnSync } from 'node:child_process';
import { cachedDataVersionTag } from 'node:v8';
import { WORKER_V8_FLAGS, tuneV8ForWorkers } from '../../worker/workers';

function tagOfNode(flags: string[]): number {
  const r = spawnSync(process.execPath, [...process.execArgv, ...flags, '-e', 'process.stdout.write(String(require("node:v8").cachedDataVersionTag()))'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node ${flags.join(' ')} failed: ${r.stderr}`);
  return Number(r.stdout);
}

test('the flags favour memory size, and creating workers puts them in effect in this process', () => {
  expect(WORKER_V8_FLAGS).toContain('--optimize-for-size');
  const plain = tagOfNode([]);
  const tuned = tagOfNode(WORKER_V8_FLAGS);
  expect(tuned).not.toBe(plain);
  tuneV8ForWorkers();
  expect(cachedDataVersionTag()).toBe(tuned);
});
