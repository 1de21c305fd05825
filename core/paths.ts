// Path rules for everything a job file or the model names. Pure string logic (no `path`
// module) so workflows can use it too; symlink checks need the disk and live in activities.

export class UnsafePathError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`${JSON.stringify(path)} ${reason}`);
    this.name = 'UnsafePathError';
  }
}

/**
 * Normalize a project-relative path to POSIX form without `.` segments, or throw
 * UnsafePathError when it is empty, absolute, or climbs out of the project root.
 */
export function normalizeProjectPath(raw: string): string {
  const p = raw.trim().replace(/\\/g, '/');
  if (p === '') throw new UnsafePathError(raw, 'is empty');
  if (p.startsWith('/') || /^[A-Za-z]:\//.test(p) || p.startsWith('~')) {
    throw new UnsafePathError(raw, 'is absolute; paths must be relative to the project root');
  }
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) throw new UnsafePathError(raw, 'leaves the project root');
      out.pop();
      continue;
    }
    if (seg.includes('\0')) throw new UnsafePathError(raw, 'contains a NUL byte');
    out.push(seg);
  }
  return out.length === 0 ? '.' : out.join('/');
}

/** A path the tool may write to: inside the root, not under `.git/`, not `jobs/_*`. */
export function assertWritablePath(raw: string): string {
  const p = normalizeProjectPath(raw);
  if (p === '.') throw new UnsafePathError(raw, 'names the project root, not a file');
  const first = p.split('/')[0];
  if (first === '.git') throw new UnsafePathError(raw, 'is inside .git/');
  if (first === '.worksplit') throw new UnsafePathError(raw, 'is inside .worksplit/ (the tool\'s own state)');
  if (/^jobs\/_[^/]*$/.test(p)) throw new UnsafePathError(raw, 'is a jobs/_* file (system prompts and the status file are never written by jobs)');
  return p;
}
