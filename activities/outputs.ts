// Writing generated files into the project: atomic, confined to the root.
import type { GeneratedFile } from '../core/output-parse';
import { typedFailures } from './failures';
import { resolveInProject, writeProjectText } from '../project/project-fs';

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
    for (const f of req.files) await resolveInProject(req.root, f.path, 'write');
    for (const f of req.files) await writeProjectText(req.root, f.path, f.content, req.createDirs);
    return req.files.map((f) => f.path);
  });
}
