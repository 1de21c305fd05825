// The prompt activity: the job's next prompt from the project's files (project/prompt-files.ts),
// its problems as typed failures (LimitExceeded, InvalidProject, ...).
import type { PreparedPrompt, PromptRequest } from '../core/prompts';
import { preparePrompt as prepareFromFiles } from '../project/prompt-files';
import { typedFailures } from './failures';

export async function preparePrompt(req: PromptRequest): Promise<PreparedPrompt> {
  return typedFailures(() => prepareFromFiles(req));
}
