// The activities a worker registers, grouped by the task queue they run on.
import { runProjectCommand } from './commands';
import { jobStart, jobStep } from './job-step';
import { writeOutputs } from './outputs';
import { loadJob, planAddition, planBatch } from './planning';
import { preparePrompt } from './prompts';
import { readProjectFiles } from './read-files';
import { servingOnly, configuredCommand } from './served-project';
import { recordStatus, syncStatusFile } from './status';

export { createLlmActivities } from './llm';
export type { ChatRequest, ChatResult } from './llm';

/** Activities that read or write the project checkout: they run on the project's own queue, and
 * act only on `root`, the project this worker serves (its real path, as loadProject gives it). */
export function createFileActivities(root: string) {
  const only = <Req extends { root: string }, R>(fn: (req: Req) => Promise<R>) => servingOnly(root, fn);
  return {
    planBatch: only(planBatch),
    planAddition: only(planAddition),
    loadJob: only(loadJob),
    preparePrompt: only(preparePrompt),
    readProjectFiles: only(readProjectFiles),
    writeOutputs: only(writeOutputs),
    syncStatusFile: only(syncStatusFile),
    recordStatus: only(recordStatus),
    jobStep: only(jobStep),
    jobStart: only(jobStart),
    // The command itself comes from the project's worksplit.toml, never from the workflow input.
    runProjectCommand: only(async (req: Parameters<typeof runProjectCommand>[0]) => runProjectCommand(await configuredCommand(req))),
  };
}

export type FileActivities = ReturnType<typeof createFileActivities>;
export type LlmActivities = ReturnType<typeof import('./llm').createLlmActivities>;
