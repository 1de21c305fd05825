// One real Temporal dev server (the Temporal CLI's, SQLite in memory) for the whole suite, started
// through @temporalio/testing with the CLI the project installed, plus a fresh workflow bundle.
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DEV_SERVER_DYNAMIC_CONFIG, dynamicConfigArgs, findTemporalCli } from '../../client/temporal-cli';
import { JOB_KEY, PROJECT_KEY, STATUS_KEY } from '../../core/search-attributes';
import { bundleTo } from '../../scripts/bundle-workflows';

export default async function globalSetup(): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'worksplit-test-'));
  const bundle = path.join(tmp, 'workflow-bundle.js');
  const [env] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: findTemporalCli() },
        searchAttributes: [PROJECT_KEY, JOB_KEY, STATUS_KEY],
        extraArgs: dynamicConfigArgs([...DEV_SERVER_DYNAMIC_CONFIG, 'limit.historyCount.suggestContinueAsNew=400']),
      },
    }),
    bundleTo(bundle),
  ]);
  process.env.WORKSPLIT_TEST_TEMPORAL_ADDRESS = env.address;
  process.env.WORKSPLIT_WORKFLOW_BUNDLE = bundle;
  process.env.WORKSPLIT_TEST_TMP = tmp;
  (globalThis as Record<string, unknown>).__WORKSPLIT_TEMPORAL_ENV__ = env;
}
