// The benchmarks at tiny sizes, so they keep working (the figures themselves live in
// BENCHMARKS.md, from `npm run bench`).
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

test('npm run bench -- --smoke runs all five benchmarks and reports figures', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(__dirname, '..', '..', 'dist', 'bench', 'run.js'), '--smoke'], { env: { ...process.env, TEMPORAL_ADDRESS: '' }, maxBuffer: 10 * 1024 * 1024 });
  for (const section of ['fanout', 'graph', 'overhead', 'scale', 'startup', 'readonly']) expect(stdout).toContain(`### ${section}`);
  expect(stdout).toMatch(/\| 1 \| \d+(\.\d+)? \|/);
  expect(stdout).toMatch(/added time per job, C=1 .* \| \d+ ms \|/);
  expect(stdout).toMatch(/peak RSS/);
  expect(stdout).toMatch(/`worksplit status` on a 20-job project \| \d+ ms/);
  expect(stdout).toMatch(/\| `worksplit validate` \| \d+ \|/);
}, 180_000);
