// Writing generated files into the project: atomic, confined to the root.
import type { GeneratedFile } from '../core/output-parse';
import { typedFailures } from './failures';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ProjectFileError, resolveInProject, writeProjectText } from '../project/project-fs';

export interface WriteOutputsRequest {
  root: string;
  files: GeneratedFile[];
  createDirs: boolean;
}

/** Write every file (temp file + rename each). Idempotent: the same request writes the same bytes. */
export async function writeOutputs(req: WriteOutputsRequest): Promise<string[]> {
  return typedFailures(async () => {
    // Every path is checked (symlinks included) before the first write, so an answer with one
    // unsafe file leaves the project untouched.
    const targets: string[] = [];
    for (const f of req.files) targets.push(await resolveInProject(req.root, f.path, 'write'));
    // Nor one the disk or the answer itself makes impossible: a folder where the file goes, or a
    // file of the answer that is a folder of another (src/x and src/x/y.ts).
    for (const [i, abs] of targets.entries()) {
      if ((await fs.stat(abs).catch(() => undefined))?.isDirectory()) throw new ProjectFileError(req.files[i].path, 'is a folder; a file cannot replace it');
      const under = targets.findIndex((t) => t.startsWith(abs + path.sep));
      if (under >= 0) throw new ProjectFileError(req.files[i].path, `cannot be both a file and the folder of ${req.files[under].path}`);
    }
    for (const f of req.files) await writeProjectText(req.root, f.path, f.content, req.createDirs);
    return req.files.map((f) => f.path);
  });
}
