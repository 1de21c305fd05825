// `worksplit archive [--days N] [--dry-run]`: move passed jobs whose status is older than N days
// to jobs/archive/ (their status entries go with them out of the status file).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { listJobIds } from '../../project/jobs-folder';
import { statusStoreFor } from '../../project/status-store';
import { Output, plural } from '../output';
import { loadProject } from '../project';

const DAY = 86_400_000;

export async function archiveCommand(dir: string, opts: { days?: number; dryRun?: boolean }, out: Output): Promise<number> {
  const { ref, config } = await loadProject(dir);
  const days = opts.days ?? config.archive.days;
  const cutoff = Date.now() - days * DAY;
  const ids = new Set(await listJobIds(ref.root));
  const store = statusStoreFor(ref.root);
  const old = (await store.read({ backUpCorrupt: !opts.dryRun })).filter((e) => e.status === 'pass' && ids.has(e.id) && Date.parse(e.updated_at) < cutoff).map((e) => e.id);
  if (old.length === 0) {
    out.line(`No passed job older than ${plural(days, 'day')} to archive.`);
    return 0;
  }
  if (opts.dryRun) {
    out.line(`Would archive ${plural(old.length, 'job')}: ${old.join(', ')}`);
    return 0;
  }
  await fs.mkdir(path.join(ref.root, 'jobs', 'archive'), { recursive: true });
  for (const id of old) await fs.rename(path.join(ref.root, 'jobs', `${id}.md`), path.join(ref.root, 'jobs', 'archive', `${id}.md`));
  await store.change((entries) => entries.filter((e) => !old.includes(e.id)));
  out.line(`Archived ${plural(old.length, 'job')} to jobs/archive/: ${old.join(', ')}`);
  return 0;
}

/** `worksplit cleanup [--days N] [--dry-run]`: delete archived jobs older than N days. */
export async function cleanupCommand(dir: string, opts: { days?: number; dryRun?: boolean }, out: Output): Promise<number> {
  const { ref, config } = await loadProject(dir);
  const days = opts.days ?? config.cleanup.days;
  const archive = path.join(ref.root, 'jobs', 'archive');
  const names = await fs.readdir(archive).catch(() => [] as string[]);
  const cutoff = Date.now() - days * DAY;
  const old: string[] = [];
  for (const n of names.filter((x) => x.endsWith('.md'))) if ((await fs.stat(path.join(archive, n))).mtimeMs < cutoff) old.push(n);
  if (old.length === 0) {
    out.line(`No archived job older than ${plural(days, 'day')}.`);
    return 0;
  }
  if (opts.dryRun) {
    out.line(`Would delete ${plural(old.length, 'archived job')}: ${old.join(', ')}`);
    return 0;
  }
  for (const n of old) await fs.unlink(path.join(archive, n));
  out.line(`Deleted ${plural(old.length, 'archived job')}: ${old.join(', ')}`);
  return 0;
}
