// Where the worker gets its workflow code: a prebuilt bundle when there is one (start-up in
// milliseconds instead of seconds of webpack), otherwise the workflow sources.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { WorkerOptions } from '@temporalio/worker';

/** The folder holding this package's package.json (works from sources and from dist/). */
export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`package.json not found above ${__dirname}`);
    dir = up;
  }
  return dir;
}

export const BUNDLE_FILE = 'dist/workflow-bundle.js';

/** What the workflow code is bundled with: the interceptor that accepts only the project's
 * workers' answers, and the failure converter that encrypts failure messages (both in the
 * workflow sandbox). */
export const WORKFLOW_BUNDLE_OPTIONS = {
  workflowInterceptorModules: [require.resolve('../workflows/authentic-call')],
  failureConverterPath: require.resolve('../core/failure-converter'),
};

export function workflowCodeOptions(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'interceptors'> {
  const explicit = process.env.WORKSPLIT_WORKFLOW_BUNDLE;
  if (explicit) return { workflowBundle: { codePath: explicit } };
  const prebuilt = path.join(packageRoot(), BUNDLE_FILE);
  if (existsSync(prebuilt)) return { workflowBundle: { codePath: prebuilt } };
  // Bundled when the worker starts; the failure converter comes with the worker's data converter.
  return { workflowsPath: require.resolve('../workflows'), interceptors: { workflowModules: WORKFLOW_BUNDLE_OPTIONS.workflowInterceptorModules } };
}
