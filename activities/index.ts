// The activities a worker registers, grouped by the task queue they run on.
import { loadJob, planBatch } from './planning';
import { prepareGenerationPrompt, prepareVerificationPrompt } from './prompts';
import { writeOutputs } from './outputs';
import { recordStatus, syncStatusFile } from './status';

export { createLlmActivities } from './llm';
export type { ChatRequest, ChatResult, ChatHeartbeat, LlmSettings } from './llm';

/** Activities that read or write the project checkout: they run on the project's own queue. */
export function createFileActivities() {
  return { planBatch, loadJob, prepareGenerationPrompt, prepareVerificationPrompt, writeOutputs, syncStatusFile, recordStatus };
}

export type FileActivities = ReturnType<typeof createFileActivities>;
export type LlmActivities = ReturnType<typeof import('./llm').createLlmActivities>;
