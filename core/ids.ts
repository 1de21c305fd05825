// Workflow ids: deterministic per project and job, so a second `worksplit run` finds the batch
// the first one started, and every job is one recognizable row in the Web UI.

export function batchWorkflowId(projectKey: string): string {
  return `worksplit/${projectKey}/batch`;
}

export function jobWorkflowId(projectKey: string, jobId: string): string {
  return `worksplit/${projectKey}/job/${jobId}`;
}

/** Queue names: model calls share one queue per prefix; everything touching the checkout goes
 * to a queue of its own per project, polled only where the project is. */
export function taskQueues(prefix: string, projectKey: string): { project: string; llm: string } {
  return { project: `${prefix}-${projectKey}`, llm: `${prefix}-llm` };
}
