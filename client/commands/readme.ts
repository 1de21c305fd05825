// `worksplit readme`: the full guide to writing jobs and running them.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../../worker/bundle';
import { Output } from '../output';

export async function readmeCommand(out: Output): Promise<number> {
  const guide = readFileSync(path.join(packageRoot(), 'templates', 'shared', '_managerinstruction.md'), 'utf8').replace('{{MAX_CONTEXT_FILES}}', '[limits] max_context_files (default 2)');
  out.line(guide.trimEnd());
  out.line(`
## Running jobs

    worksplit validate          check the folder, config, jobs and dependencies
    worksplit deps              dependencies and execution groups
    worksplit preview JOB       the exact prompt a job sends
    worksplit run               run every ready job as a durable batch on Temporal
    worksplit status -v         one line per job; --json for tools; --watch to follow
    worksplit pause | resume    hold or release new jobs of the running batch
    worksplit concurrency N     change how many jobs run at once
    worksplit cancel JOB|all    cancel through Temporal (streams are aborted)
    worksplit retry --failed    a new batch over failed, skipped and cancelled jobs
    worksplit ui                the batch in the Temporal Web UI

A job's status is one of created, pending_test, pending_work, pending_verification,
pending_test_run, pass, fail, partial; it lives in jobs/_jobstatus.json.`);
  return 0;
}
