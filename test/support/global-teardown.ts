import { rmSync } from 'node:fs';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

export default async function globalTeardown(): Promise<void> {
  const env = (globalThis as Record<string, unknown>).__WORKSPLIT_TEMPORAL_ENV__ as TestWorkflowEnvironment | undefined;
  await env?.teardown();
  if (process.env.WORKSPLIT_TEST_TMP) rmSync(process.env.WORKSPLIT_TEST_TMP, { recursive: true, force: true });
}
