// In a batch (issue 24, item 4): an answer that writes one file under two names a case- or
// normalization-insensitive disk folds together, or a name holding a code point a file system may
// ignore, fails the job for good with the rule named and writes nothing; the names are shown
// escaped by `status`. Before, both names were written and the job passed.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { writeOutputs } from '../../activities/outputs';
import { runBatch } from '../support/harness';
import { runCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { block, isVerification, jobOf } from '../support/replies';
import { useServers } from '../support/servers';

const t = useServers();

test('writeOutputs refuses two names of one file before writing either', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ws-collide-'));
  for (const names of [['src/p16.ts', 'SRC/P16.TS'], ['src/caf\u00e9.ts', 'src/cafe\u0301.ts'], ['src/x', 'SRC/X/y.ts']]) {
    const e = await writeOutputs({ root, files: names.map((p) => ({ path: p, content: 'x\n' })), createDirs: true }).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(ApplicationFailure);
    expect((e as ApplicationFailure).nonRetryable).toBe(true);
    expect((e as ApplicationFailure).message).toMatch(/rule: no two names in an answer that differ only in case or normalization|cannot be both a file and the folder/);
    expect(readdirSync(root)).toEqual([]);
  }
});

test('in a batch: colliding names and ignorable code points fail the job by rule, nothing is written, status shows them escaped', async () => {
  const extra: Record<string, string[]> = {
    case: ['src/p16.ts', 'SRC/P16.TS'],
    nf: ['src/caf\u00e9.ts', 'src/cafe\u0301.ts'],
    hfs: ['.g\u206Ait/config'],
    cgj: ['sub/.git\u034f/hooks/x'],
  };
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: Object.fromEntries(Object.keys(extra).map((id) => [id, simpleJob(id)])) });
  t.ollama.respond = (req) => {
    if (isVerification(req)) return { content: 'PASS' };
    const id = jobOf(req);
    return { content: [block(`out/${id}.txt`, 'x'), ...extra[id].map((p) => block(p, `written by ${id}`))].join('\n') };
  };
  const r = await runBatch(t.h, root);
  expect(r.jobs.case.reason).toMatch(/"SRC\/P16\.TS" and "src\/p16\.ts" are one file .*\(rule: no two names in an answer that differ only in case or normalization\)/);
  expect(r.jobs.nf.reason).toMatch(/rule: no two names in an answer that differ only in case or normalization/);
  expect(r.jobs.hfs.reason).toContain('".g\\u206ait/config" contains \\u206a, an invisible character a file system may ignore (rule: no default-ignorable characters in written names');
  expect(r.jobs.cgj.reason).toContain('"sub/.git\\u034f/hooks/x" contains \\u034f');
  for (const id of Object.keys(extra)) {
    expect([id, r.jobs[id].state]).toEqual([id, 'failed']);
    expect(existsSync(path.join(root, 'out', `${id}.txt`))).toBe(false);
  }
  expect(existsSync(path.join(root, 'src'))).toBe(false);
  expect(existsSync(path.join(root, 'SRC'))).toBe(false);
  expect(readdirSync(root).sort()).toEqual(['jobs', 'worksplit.toml']);
  const status = await runCli(['--path', root, '-v', 'status'], { TEMPORAL_ADDRESS: t.h.address });
  expect(status.output).toContain('\\u206a');
  expect(status.output).toContain('\\u034f');
  expect(status.output).not.toMatch(/\p{Default_Ignorable_Code_Point}/u);
}, 120_000);
