// Reading and writing files inside a project root, with the path rules of core/paths plus
// the one check that needs the disk: a symlink must not lead outside the root.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UnsafePathError, assertWritablePath, normalizeProjectPath } from '../core/paths';
import { writeFileAtomic } from './atomic-write';

/** Absolute path of `rel` in `root`, after checking that every existing part of it resolves
 * inside the root (so a symlinked folder or file cannot lead out). */
export async function resolveInProject(root: string, rel: string, mode: 'read' | 'write'): Promise<string> {
  const clean = mode === 'write' ? assertWritablePath(rel) : normalizeProjectPath(rel);
  const realRoot = await fs.realpath(root);
  const abs = path.join(realRoot, ...clean.split('/'));
  // Walk up to the deepest part that exists and resolve it; the rest is yet to be created.
  let probe = abs;
  for (;;) {
    try {
      const real = await fs.realpath(probe);
      if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
        throw new UnsafePathError(rel, `resolves through a symlink to ${real}, outside the project root`);
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      const up = path.dirname(probe);
      if (up === probe) break;
      probe = up;
    }
  }
  return abs;
}

export class ProjectFileError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'ProjectFileError';
  }
}

/** A project text file's content, refusing missing files, folders and binary files. */
export async function readProjectText(root: string, rel: string): Promise<string> {
  const abs = await resolveInProject(root, rel, 'read');
  let buf: Buffer;
  try {
    const st = await fs.stat(abs);
    if (st.isDirectory()) throw new ProjectFileError(rel, 'is a directory, not a file');
    buf = await fs.readFile(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ProjectFileError(rel, 'does not exist');
    throw e;
  }
  if (buf.subarray(0, 8000).includes(0)) throw new ProjectFileError(rel, 'is a binary file; only text files can be context');
  return buf.toString('utf8');
}

/** Write a project file atomically (temp file + rename): a reader never sees half a file, and a
 * full disk leaves the old file as it was (DiskFullError). */
export async function writeProjectText(root: string, rel: string, content: string, createDirs: boolean): Promise<void> {
  const abs = await resolveInProject(root, rel, 'write');
  if (createDirs) await fs.mkdir(path.dirname(abs), { recursive: true });
  await writeFileAtomic(abs, content, { displayName: rel });
}
