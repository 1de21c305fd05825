// Reading project files the workflow transforms itself (update_fixtures). Read-only.
import type { SourceFile } from '../core/prompts';
import { typedFailures } from './failures';
import { PAYLOAD_CEILING_BYTES, formatBytes } from '../core/limits';
import { projectConfig } from '../project/project-config';
import { readProjectText } from '../project/project-fs';
import { finalFailure } from './failures';
import { lineCount } from '../core/lines';

export interface ReadFilesRequest {
  root: string;
  paths: string[];
  maxLines: number;
}

export async function readProjectFiles(req: ReadFilesRequest): Promise<SourceFile[]> {
  return typedFailures(async () => {
    const out: SourceFile[] = [];
    let total = 0;
    const maxBytes = (await projectConfig(req.root)).limits.max_file_bytes;
    for (const p of req.paths) {
      const content = await readProjectText(req.root, p, maxBytes);
      const lines = lineCount(content);
      if (lines > req.maxLines) throw finalFailure(`${p} has ${lines} lines, over max_context_lines (${req.maxLines}); split it first`, 'LimitExceeded');
      out.push({ path: p, content });
      total += Buffer.byteLength(content);
      if (total > PAYLOAD_CEILING_BYTES) throw finalFailure(`${req.paths.join(', ')} are over ${formatBytes(PAYLOAD_CEILING_BYTES)} together, more than a workflow may carry`, 'LimitExceeded');
    }
    return out;
  });
}
