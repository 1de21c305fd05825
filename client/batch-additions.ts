// `run` joins job files added or changed since the running batch planned (the batch's addJobs
// update), once when it attaches and, with --watch, whenever a job file appears or changes.
import { watch } from 'node:fs';
import * as path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { AdditionResult } from '../core/additions';
import { printable, reasonLine } from '../core/printable';
import type { BatchWorkflow } from '../workflows/messages';
import { type Output, colors, plural } from './output';

/** Ask the batch to join what changed in jobs/, and say what it did. Never throws: a batch that
 * has ended or refuses is reported, and the run goes on. */
export async function joinNewJobFiles(handle: WorkflowHandle<BatchWorkflow>, out: Output, quietWhenNothing = false): Promise<AdditionResult | undefined> {
  const { addJobsUpdate } = require('../workflows/messages') as typeof import('../workflows/messages');
  let r: AdditionResult;
  try {
    r = await handle.executeUpdate(addJobsUpdate);
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    out.warn(`job files added or changed were not joined to the running batch: ${reasonLine(cause ?? (e as Error).message)}`);
    return undefined;
  }
  const names = (ids: string[]) => ids.map((id) => printable(id)).join(', ');
  if (r.added.length > 0) out.line(`${colors.green('Added')} to the running batch: ${names(r.added)}`);
  if (r.requeued.length > 0) out.line(`${colors.green('Runs again')} in this batch (its job file changed): ${names(r.requeued)}`);
  if (r.updated.length > 0) out.line(`Updated (its job file changed before it started): ${names(r.updated)}`);
  for (const x of r.refused) out.warn(`${printable(x.id)} was not joined to the running batch: ${reasonLine(x.reason)}`);
  if (!quietWhenNothing && r.added.length + r.requeued.length + r.updated.length + r.refused.length === 0) out.line(colors.dim('No job files new or changed since the batch planned.'));
  return r;
}

export interface JobFileWatch {
  close(): void;
}

/** Calls `changed` (one call at a time, once more if files changed meanwhile) when a job file in
 * jobs/ appears or changes: *.md files not starting with "_" (the status file and system prompts
 * are not jobs). */
export function watchJobFiles(root: string, changed: () => Promise<unknown>, out: Output): JobFileWatch {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const fire = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await changed();
      } while (again);
    } finally {
      running = false;
    }
  };
  const w = watch(path.join(root, 'jobs'), (_event, file) => {
    const name = file?.toString() ?? '';
    if (!name.endsWith('.md') || name.startsWith('_')) return;
    clearTimeout(timer);
    // Editors write a file in several steps: wait for them to settle.
    timer = setTimeout(() => void fire(), 400);
  });
  w.on('error', (e) => out.warn(`stopped watching jobs/: ${e.message}`));
  out.line(colors.dim(`Watching jobs/ for new or changed job files (${plural(1, 'batch')} at a time; Ctrl-C to stop).`));
  return {
    close() {
      clearTimeout(timer);
      w.close();
    },
  };
}
