// `worksplit status`: the status file, as one summary line, one line per job (-v), or JSON.
import { listJobIds } from '../../activities/job-files';
import { statusStoreFor } from '../../activities/status-store';
import { countStatuses, summaryLine, syncEntries } from '../../core/status';
import { Output, colors } from '../output';

export interface StatusOptions {
  path: string;
  json?: boolean;
  summary?: boolean;
  verbose?: boolean;
}

const COLOR: Record<string, (s: string) => string> = { pass: colors.green, fail: colors.red, partial: colors.yellow };

export async function statusCommand(opts: StatusOptions, out: Output): Promise<number> {
  const ids = await listJobIds(opts.path);
  // Show the file as a run would see it (new job files as created), without writing it.
  const { entries } = syncEntries(await statusStoreFor(opts.path).read(), ids, new Date().toISOString());
  if (opts.json) {
    const c = countStatuses(entries);
    process.stdout.write(`${JSON.stringify({ jobs: entries.map((e) => ({ id: e.id, status: e.status, error: e.error ?? null, ran: !!e.ran, updated_at: e.updated_at, ...(e.partial_state ? { partial_state: e.partial_state } : {}) })), totals: { total: entries.length, ...c } }, null, 2)}\n`);
    return 0;
  }
  if (opts.verbose && !opts.summary) {
    for (const e of entries) {
      const paint = COLOR[e.status] ?? ((s: string) => s);
      out.line(`${e.id.padEnd(28)} ${paint(e.status.padEnd(20))}${e.error ? ` ${e.error}` : ''}`);
    }
  }
  out.line(summaryLine(entries));
  return 0;
}
