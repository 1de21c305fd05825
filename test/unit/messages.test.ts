// The client starts workflows by name (it must not load workflow code); the worker registers the
// workflow functions from the bundle's entry point. The names must be the functions' own.
import * as registered from '../../workflows/index';
import { BATCH_WORKFLOW_TYPE, JOB_WORKFLOW_TYPE } from '../../workflows/messages';

test('the workflow type names the client starts are the names the worker registers', () => {
  expect(Object.keys(registered).sort()).toEqual([BATCH_WORKFLOW_TYPE, JOB_WORKFLOW_TYPE].sort());
  expect(registered.batchWorkflow.name).toBe(BATCH_WORKFLOW_TYPE);
  expect(registered.jobWorkflow.name).toBe(JOB_WORKFLOW_TYPE);
});
