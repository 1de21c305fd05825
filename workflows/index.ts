// Entry point of the workflow bundle: every workflow type the worker registers.
export { batchWorkflow } from './batch';
export { jobWorkflow } from './job';
