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

export function workflowCodeOptions(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  const explicit = process.env.WORKSPLIT_WORKFLOW_BUNDLE;
  if (explicit) return { workflowBundle: { codePath: explicit } };
  const prebuilt = path.join(packageRoot(), BUNDLE_FILE);
  if (existsSync(prebuilt)) return { workflowBundle: { codePath: prebuilt } };
  return { workflowsPath: require.resolve('../workflows') };
}
