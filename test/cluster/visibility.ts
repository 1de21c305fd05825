// What the server's visibility store (PostgreSQL here) lists for a query, read raw: the project's
// memos are sealed with its payload key, which the test's client does not hold.
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export interface Listed {
  workflowId: string;
  /** RUNNING, COMPLETED, FAILED, CANCELED, TERMINATED, CONTINUED_AS_NEW, TIMED_OUT */
  status: string;
}

export async function listed(connection: Connection, namespace: string, query: string): Promise<Listed[]> {
  const out: Listed[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const res = await connection.workflowService.listWorkflowExecutions({ namespace, query, pageSize: 1000, ...(nextPageToken ? { nextPageToken } : {}) });
    for (const e of res.executions ?? []) {
      out.push({ workflowId: e.execution!.workflowId!, status: temporal.api.enums.v1.WorkflowExecutionStatus[e.status!].replace('WORKFLOW_EXECUTION_STATUS_', '') });
    }
    nextPageToken = res.nextPageToken && res.nextPageToken.length > 0 ? res.nextPageToken : undefined;
  } while (nextPageToken);
  return out.sort((a, b) => (a.workflowId < b.workflowId ? -1 : a.workflowId > b.workflowId ? 1 : 0));
}
