// A batch an older worksplit started (before payloads were sealed with the project's key, issue
// 24) cannot be finished by this version: its workers accept only sealed payloads, and accepting
// plain ones would accept a stranger's plain answers too. `run` names what to do instead.
import type { Client } from '@temporalio/client';
import { ENCRYPTED_ENCODING } from '../worker/payload-codec';

/** Whether the running execution of `workflowId` was started with plain (unsealed) input; read
 * from its first history event as the server has it, without decoding anything. */
export async function startedUnsealed(client: Client, workflowId: string): Promise<boolean> {
  try {
    const res = await client.workflowService.getWorkflowExecutionHistory({ namespace: client.options.namespace, execution: { workflowId }, maximumPageSize: 1 });
    const input = res.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    const encoding = input[0]?.metadata?.encoding;
    return input.length > 0 && (encoding ? Buffer.from(encoding).toString('utf8') : '') !== ENCRYPTED_ENCODING;
  } catch {
    return false;
  }
}

export function unsealedBatchMessage(dirOption: string): string {
  return `the running batch was started by an earlier worksplit, before payloads were sealed with the project's key (.worksplit/payload.key); this version does not take part in it. End it with: worksplit${dirOption} cancel all, then run again: worksplit${dirOption} run --resume`;
}
