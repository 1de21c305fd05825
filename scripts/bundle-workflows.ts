// Prebundle the workflow code at build time, so a worker starts without running webpack.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { BUNDLE_FILE, WORKFLOW_BUNDLE_OPTIONS, packageRoot } from '../worker/bundle';

export async function bundleTo(file: string): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    ...WORKFLOW_BUNDLE_OPTIONS,
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  writeFileSync(file, code);
}

if (require.main === module) {
  const out = process.argv[2] ?? path.join(packageRoot(), BUNDLE_FILE);
  bundleTo(out).then(
    () => console.log(`workflow bundle written to ${path.relative(process.cwd(), out)}`),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
