// The activities a worker registers, grouped by the task queue they run on.
import { runProjectCommand } from './commands';
import { writeOutputs } from './outputs';
import { loadJob, planBatch } from './planning';
import { preparePrompt } from './prompts';
import { readProjectFiles } from './read-files';
import { recordStatus, syncStatusFile } from './status';

export { createLlmActivities } from './llm';
export type { ChatRequest, ChatResult, ChatHeartbeat, LlmSettings } from './llm';

/** Activities that read or write the project checkout: they run on the project's own queue. */
export function createFileActivities() {
  return { planBatch, loadJob, preparePrompt, readProjectFiles, writeOutputs, syncStatusFile, recordStatus, runProjectCommand };
}

export type FileActivities = ReturnType<typeof createFileActivities>;
export type LlmActivities = ReturnType<typeof import('./llm').createLlmActivities>;
