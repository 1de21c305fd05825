// Writing generated files into the project: atomic, confined to the root.
import type { GeneratedFile } from '../core/output-parse';
import { typedFailures } from './failures';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ProjectFileError, resolveInProject, writeProjectText } from '../project/project-fs';
import { UnsafePathError, collidingPaths, sameFileKey, showPath } from '../core/paths';
import { printable } from '../core/printable';

export interface WriteOutputsRequest {
  root: string;
  files: GeneratedFile[];
  createDirs: boolean;
}

/** Write every file (temp file + rename each). Idempotent: the same request writes the same bytes. */
export async function writeOutputs(req: WriteOutputsRequest): Promise<string[]> {
  return typedFailures(async () => {
    // Two names of one file on a disk that ignores letter case or Unicode normalization
    // (src/p16.ts and SRC/P16.TS, café in NFC and NFD): written twice there, the second over the
    // first. Refused wherever the batch runs, before any write.
    const clash = collidingPaths(req.files.map((f) => f.path));
    if (clash) throw new UnsafePathError(clash[1], `and ${showPath(clash[0])} are one file on a disk that ignores letter case or Unicode normalization (macOS, Windows), written twice (rule: no two names in an answer that differ only in case or normalization)`);
    // Every path is checked (symlinks included) before the first write, so an answer with one
    // unsafe file leaves the project untouched.
    const targets: string[] = [];
    for (const f of req.files) targets.push(await resolveInProject(req.root, f.path, 'write'));
    // Nor one the disk or the answer itself makes impossible: a folder where the file goes, or a
    // file of the answer that is a folder of another (src/x and src/x/y.ts).
    const keys = req.files.map((f) => sameFileKey(f.path));
    for (const [i, abs] of targets.entries()) {
      if ((await fs.stat(abs).catch(() => undefined))?.isDirectory()) throw new ProjectFileError(req.files[i].path, 'is a folder; a file cannot replace it');
      const under = targets.findIndex((t, j) => t.startsWith(abs + path.sep) || keys[j].startsWith(`${keys[i]}/`));
      if (under >= 0) throw new ProjectFileError(req.files[i].path, `cannot be both a file and the folder of ${printable(req.files[under].path)}`);
    }
    for (const f of req.files) await writeProjectText(req.root, f.path, f.content, req.createDirs);
    return req.files.map((f) => f.path);
  });
}
