// Writing a model's files: a multi-file answer with one file that leads out of the project
// (through a symlink) writes none of them.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeOutputs } from '../../activities/outputs';

test('every path is checked before the first write: one unsafe file leaves the project untouched', async () => {
  const outside = mkdtempSync(path.join(os.tmpdir(), 'ws-out-outside-'));
  const root = mkdtempSync(path.join(os.tmpdir(), 'ws-out-root-'));
  mkdirSync(path.join(root, 'src'));
  symlinkSync(outside, path.join(root, 'docs'));
  const files = [
    { path: 'src/models/user.ts', content: 'export {};\n' },
    { path: 'docs/models.md', content: '# models\n' },
  ];
  await expect(writeOutputs({ root, files, createDirs: true })).rejects.toThrow(/outside the project root/);
  expect(existsSync(path.join(root, 'src/models/user.ts'))).toBe(false);
  expect(existsSync(path.join(outside, 'models.md'))).toBe(false);

  expect(await writeOutputs({ root, files: files.slice(0, 1), createDirs: true })).toEqual(['src/models/user.ts']);
  expect(readFileSync(path.join(root, 'src/models/user.ts'), 'utf8')).toBe('export {};\n');
});

test('an answer the disk or the answer itself makes impossible is refused for good before any write', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ws-out-conflict-'));
  mkdirSync(path.join(root, 'src', 'd'), { recursive: true });
  writeFileSync(path.join(root, 'src', 'file'), 'x\n');
  const cases: Array<[Array<{ path: string; content: string }>, RegExp]> = [
    [[{ path: 'src/a.ts', content: 'a\n' }, { path: 'src/x', content: 'x\n' }, { path: 'src/x/y.ts', content: 'y\n' }], /src\/x: cannot be both a file and the folder of src\/x\/y\.ts/],
    [[{ path: 'src/a.ts', content: 'a\n' }, { path: 'src/d', content: 'd\n' }], /src\/d: is a folder; a file cannot replace it/],
    [[{ path: 'src/a.ts', content: 'a\n' }, { path: 'src/file/b.ts', content: 'b\n' }], /src\/file\/b\.ts: cannot be reached: a part of its path is a file, not a folder/],
  ];
  for (const [files, message] of cases) {
    const e = await writeOutputs({ root, files, createDirs: true }).then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(ApplicationFailure);
    expect((e as ApplicationFailure).message).toMatch(message);
    expect((e as ApplicationFailure).nonRetryable).toBe(true);
    expect(existsSync(path.join(root, 'src', 'a.ts'))).toBe(false);
  }
});
