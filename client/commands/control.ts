// Steering the running batch: pause, resume, and its concurrency. Each answers clearly when no
// batch is running.
import { findRunningBatch, LiveBatch } from '../live-batch';
import { Output, UsageError } from '../output';
import { pauseSignal, resumeSignal, setMaxConcurrentUpdate } from '../../workflows/messages';
import { loadProject } from '../project';

export async function withRunningBatch<T>(dir: string, fn: (b: LiveBatch) => Promise<T>): Promise<T> {
  const project = await loadProject(dir);
  const live = await findRunningBatch(project);
  if (!live) throw new UsageError('no batch is running for this project (start one with: worksplit run)');
  try {
    return await fn(live);
  } finally {
    await live.close();
  }
}

export async function pauseCommand(dir: string, out: Output): Promise<number> {
  return withRunningBatch(dir, async (b) => {
    await b.handle.signal(pauseSignal);
    out.line(`Paused ${b.handle.workflowId}: running jobs finish, no new job starts until: worksplit resume`);
    return 0;
  });
}

export async function resumeCommand(dir: string, out: Output): Promise<number> {
  return withRunningBatch(dir, async (b) => {
    await b.handle.signal(resumeSignal);
    out.line(`Resumed ${b.handle.workflowId}.`);
    return 0;
  });
}

export async function concurrencyCommand(dir: string, n: number, out: Output): Promise<number> {
  return withRunningBatch(dir, async (b) => {
    const now = await b.handle.executeUpdate(setMaxConcurrentUpdate, { args: [n] });
    out.line(`${b.handle.workflowId} now runs ${now === 0 ? 'any number of jobs' : `at most ${now} job(s)`} at once.`);
    return 0;
  });
}
