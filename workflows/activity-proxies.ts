// How workflows reach their activities. File activities run as local activities: they touch the
// checkout, which is where the project's workflows run anyway (the project queue), and a local
// activity skips the task-queue round trip and the extra workflow tasks of a regular one, which
// dominated the per-job overhead. Model calls and project commands stay regular activities:
// they are long, heartbeat or can be cancelled, and model calls may run on other machines.
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { FileActivities } from '../activities';
import type { RunSettings, TaskQueues } from './types';
import { NON_RETRYABLE_TYPES } from '../core/failure-types';

/** Failure types a retry of the activity cannot fix. */
export const NON_RETRYABLE: string[] = [...NON_RETRYABLE_TYPES];

export function fileActivities(settings: RunSettings) {
  return proxyLocalActivities<FileActivities>({
    startToCloseTimeout: `${settings.fileActivitySeconds}s`,
    retry: { initialInterval: '200ms', maximumInterval: '10s', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
  });
}

export function commandActivities(settings: RunSettings, queues: TaskQueues) {
  return proxyActivities<FileActivities>({
    taskQueue: queues.project,
    startToCloseTimeout: `${settings.checks.commandTimeoutSeconds + 30}s`,
    // The command heartbeats on a timer: a cancel reaches it within a heartbeat (its process group
    // is killed) and a dead worker's command is retried after this, not after the whole timeout.
    heartbeatTimeout: `${settings.heartbeatSeconds}s`,
    retry: { maximumAttempts: 2, nonRetryableErrorTypes: NON_RETRYABLE },
  });
}
