// File access inside the project root: symlinks that lead out, binary files, folders, and
// atomic writes.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readProjectText, resolveInProject, writeProjectText } from '../../project/project-fs';

function setup() {
  const outside = mkdtempSync(path.join(os.tmpdir(), 'ws-outside-'));
  writeFileSync(path.join(outside, 'secret.txt'), 'secret');
  const root = mkdtempSync(path.join(os.tmpdir(), 'ws-root-'));
  mkdirSync(path.join(root, 'src'));
  writeFileSync(path.join(root, 'src', 'a.ts'), 'a');
  symlinkSync(outside, path.join(root, 'linkdir'));
  symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'src', 'link.txt'));
  symlinkSync(path.join(root, 'src', 'a.ts'), path.join(root, 'inside-link.ts'));
  writeFileSync(path.join(root, 'bin.dat'), Buffer.from([1, 2, 0, 3]));
  return { root, outside };
}

test('symlinks that lead outside the root are refused for reading and writing', async () => {
  const { root, outside } = setup();
  await expect(readProjectText(root, 'src/link.txt')).rejects.toThrow(/outside the project root/);
  await expect(readProjectText(root, 'linkdir/secret.txt')).rejects.toThrow(/outside the project root/);
  await expect(writeProjectText(root, 'linkdir/new.txt', 'x', true)).rejects.toThrow(/outside the project root/);
  expect(existsSync(path.join(outside, 'new.txt'))).toBe(false);
  // A symlink that stays inside is fine.
  expect(await readProjectText(root, 'inside-link.ts')).toBe('a');
});

test('missing files, folders and binary files are clear errors', async () => {
  const { root } = setup();
  await expect(readProjectText(root, 'nope.ts')).rejects.toThrow('nope.ts: does not exist');
  await expect(readProjectText(root, 'src')).rejects.toThrow('src: is a directory');
  await expect(readProjectText(root, 'bin.dat')).rejects.toThrow('bin.dat: is a binary file');
});

test('writes create folders and replace files whole; unsafe targets are refused', async () => {
  const { root } = setup();
  await writeProjectText(root, 'deep/new/file.ts', 'content\n', true);
  expect(readFileSync(path.join(root, 'deep/new/file.ts'), 'utf8')).toBe('content\n');
  await expect(writeProjectText(root, '../escape.ts', 'x', true)).rejects.toThrow(/leaves the project root/);
  await expect(writeProjectText(root, '.git/hooks/pre-commit', 'x', true)).rejects.toThrow(/\.git/);
  await expect(resolveInProject(root, 'jobs/_jobstatus.json', 'write')).rejects.toThrow(/jobs\/_\*/);
});
