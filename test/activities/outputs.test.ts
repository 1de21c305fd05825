// Writing a model's files: a multi-file answer with one file that leads out of the project
// (through a symlink) writes none of them.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
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
