// Reading project files the workflow transforms itself (update_fixtures). Read-only.
import type { SourceFile } from '../core/prompts';
import { ApplicationFailure } from '@temporalio/common';
import { typedFailures } from './failures';
import { readProjectText } from './project-fs';

export interface ReadFilesRequest {
  root: string;
  paths: string[];
  maxLines: number;
}

export async function readProjectFiles(req: ReadFilesRequest): Promise<SourceFile[]> {
  return typedFailures(async () => {
    const out: SourceFile[] = [];
    for (const p of req.paths) {
      const content = await readProjectText(req.root, p);
      const lines = content.split('\n').length - (content.endsWith('\n') ? 1 : 0);
      if (lines > req.maxLines) throw ApplicationFailure.nonRetryable(`${p} has ${lines} lines, over max_context_lines (${req.maxLines}); split it first`, 'LimitExceeded');
      out.push({ path: p, content });
    }
    return out;
  });
}
