// Path rules for everything a job file or the model names. Pure string logic (no `path`
// module) so workflows can use it too; symlink checks need the disk and live in activities.
import { ALWAYS_NEWER } from './newer-rules';
import { escapeCodePoint, printable } from './printable';

export class UnsafePathError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`${showPath(path)} ${reason}`);
    this.name = 'UnsafePathError';
  }
}

// C0 and C1 controls, and the bidirectional overrides, embeddings, isolates and marks that make
// a name display as something else ("evil\u202Etxt.sh" shows as "evilhs.txt").
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
// Code points a file system may ignore in a name (Unicode's default-ignorable ones: zero-width
// characters, the soft hyphen, the combining grapheme joiner U+034F, U+206A-U+206F, variation
// selectors, tags...): HFS+ drops them, so ".g\u206ait" is ".git" there. Git refuses them next to
// .git; written names may not hold them at all.
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;

/** Most file systems take names of at most 255 bytes and paths of at most 4096. */
export const MAX_NAME_BYTES = 255;
export const MAX_PATH_BYTES = 4096;

/** A path for an error message: quoted, invisible characters escaped (core/printable.ts), at
 * most 200 characters. */
export function showPath(p: string): string {
  const shown = p.length > 200 ? `${p.slice(0, 200)}…` : p;
  return printable(JSON.stringify(shown));
}

/**
 * Normalize a project-relative path to POSIX form without `.` segments, or throw
 * UnsafePathError when it is empty, absolute, climbs out of the project root, holds control or
 * bidirectional characters, or is too long for a file system.
 */
export function normalizeProjectPath(raw: string): string {
  const p = raw.trim().replace(/\\/g, '/');
  if (p === '') throw new UnsafePathError(raw, 'is empty');
  if (p.includes('\0')) throw new UnsafePathError(raw, 'contains a NUL byte');
  if (CONTROL.test(p)) throw new UnsafePathError(raw, 'contains a control character (rule: no control characters in names)');
  if (BIDI.test(p)) throw new UnsafePathError(raw, 'contains a bidirectional text character that disguises the name (rule: no bidi control characters in names)');
  if (p.startsWith('/') || /^[A-Za-z]:\//.test(p) || p.startsWith('~')) {
    throw new UnsafePathError(raw, 'is absolute; paths must be relative to the project root');
  }
  if (utf8Bytes(p) > MAX_PATH_BYTES) throw new UnsafePathError(raw, `is too long (rule: paths of at most ${MAX_PATH_BYTES} bytes)`);
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) throw new UnsafePathError(raw, 'leaves the project root');
      out.pop();
      continue;
    }
    if (utf8Bytes(seg) > MAX_NAME_BYTES) throw new UnsafePathError(raw, `has a name that is too long (rule: names of at most ${MAX_NAME_BYTES} bytes)`);
    out.push(seg);
  }
  return out.length === 0 ? '.' : out.join('/');
}

/** An 8.3 short name as Windows makes them: up to six characters, ~ and a number, an extension
 * of up to three. */
const SHORT_NAME = /^[^.~]{1,6}~[0-9]{1,6}(\.[^.]{1,3})?$/;

/** Whether written-name rules added later apply; asked only about a path they alone refuse.
 * Without an argument: the rules of 2026-11-27 (":" in a name, letters folded through upper case);
 * with 'unicode-names': those of 2026-12-05 (no default-ignorable code points). A workflow answers
 * with patched() (workflows/job-run.ts), everything else with yes (ALWAYS_NEWER). */
export type NameRules = (since?: 'unicode-names') => boolean;

/** Why `p` (normalized) may not be written, or undefined. Case-insensitive, since `.GIT` is
 * `.git` on the default disks of macOS and Windows. `newerRules` is asked only about a path that
 * the rules added later refuse and the rules before allow: a workflow replaying a job from before
 * them decides as the job did. */
export function protectedReason(p: string, newerRules: NameRules = ALWAYS_NEWER): string | undefined {
  const before = reasonUnder(p, false);
  if (before !== undefined) return before;
  const now = reasonUnder(p, true);
  // A job from before the rules of 2026-11-27 is from before the later ones too.
  if (now !== undefined) return newerRules() ? now : undefined;
  const latest = unicodeReason(p);
  return latest !== undefined && newerRules('unicode-names') ? latest : undefined;
}

/** The rules of 2026-12-05. */
function unicodeReason(p: string): string | undefined {
  const ignorable = IGNORABLE.exec(p);
  if (ignorable) return `contains ${escapeCodePoint(ignorable[0])}, an invisible character a file system may ignore (rule: no default-ignorable characters in written names; on HFS+ ".g\\u206ait" is ".git")`;
  return undefined;
}

function reasonUnder(p: string, newer: boolean): string | undefined {
  // On Windows "name:stream" opens a stream of the file or folder "name": ".git::$INDEX_ALLOCATION"
  // is the .git folder itself, "worksplit.toml::$DATA" the configuration.
  if (newer && p.includes(':')) return 'contains ":" (rule: no ":" in written names; on Windows "name:stream" writes into the file or folder "name", ".git::$INDEX_ALLOCATION" is .git)';
  // Letters that file systems ignore or fold (zero-width joiners, soft hyphen, BOM; HFS+ ignores
  // them, so ".g\u200cit" is ".git" there) are removed before the names are compared.
  // Windows drops trailing dots and spaces from names (".git." is ".git"). Upper then lower case
  // folds letters a case-insensitive disk treats as others ("\u017f", the long s, is "s").
  const folded = newer ? p.toUpperCase().toLowerCase() : p.toLowerCase();
  const segs = folded.replace(/[\u00ad\u200b-\u200f\u2060\ufeff]/g, '').split('/').map((s) => s.replace(/[. ]+$/, '') || s);
  if (segs.includes('.git')) return 'is inside .git/ (rule: nothing in a .git folder, in any letter case, at any depth)';
  // Windows also opens a file by its 8.3 short name: GIT~1 can be .git, NODE_M~1 node_modules,
  // WORKSP~1.TOM worksplit.toml. Which long name a short one stands for depends on the disk, so
  // every name of that form is refused.
  const short = segs.find((s) => SHORT_NAME.test(s));
  if (short) return `has ${showPath(short)}, a Windows short name that may stand for a protected folder or file (rule: no names of the form NAME~1)`;
  if (segs[0] === '.worksplit') return 'is inside .worksplit/ (rule: the tool\'s own state is never written by jobs)';
  if (segs.includes('node_modules')) return 'is inside node_modules/ (rule: installed packages and their scripts are never written by jobs)';
  if (segs.length === 1 && segs[0] === 'worksplit.toml') return 'is the project\'s configuration (rule: worksplit.toml is never written by jobs)';
  if (segs[0] === 'jobs' && segs.length === 2 && segs[1].startsWith('_')) return 'is a jobs/_* file (rule: nothing under jobs/ is written by jobs: job files, system prompts, the status file)';
  if (segs[0] === 'jobs') return 'is inside jobs/ (rule: nothing under jobs/ is written by jobs: job files, system prompts, the status file)';
  return undefined;
}

/** A path the tool may write to: inside the root and not protected (see protectedReason). */
export function assertWritablePath(raw: string, newerRules: NameRules = ALWAYS_NEWER): string {
  const p = normalizeProjectPath(raw);
  if (p === '.') throw new UnsafePathError(raw, 'names the project root, not a file');
  const reason = protectedReason(p, newerRules);
  if (reason) throw new UnsafePathError(raw, reason);
  return p;
}

function utf8Bytes(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/** What a path is called on a disk that ignores letter case and Unicode normalization (the
 * default disks of macOS and Windows) or trailing dots and spaces (Windows): two paths of one
 * answer with the same key are one file written twice there, the second over the first. NFKC is
 * wider than any disk's folding (NFC and NFD forms, and compatibility forms too, collide): a clash
 * is refused, so erring wide only refuses more. */
export function sameFileKey(p: string): string {
  const folded = cleanOrAsIs(p).normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
  return folded.split('/').map((s) => s.replace(/\p{Default_Ignorable_Code_Point}/gu, '').replace(/[. ]+$/, '') || s).join('/');
}

/** The first two paths that are different names for one file (sameFileKey), or undefined. The
 * same path twice is not one of them (the answer parser refuses that itself). */
export function collidingPaths(paths: string[]): [string, string] | undefined {
  const seen = new Map<string, string>();
  for (const p of paths) {
    const key = sameFileKey(p);
    const first = seen.get(key);
    if (first !== undefined && cleanOrAsIs(first) !== cleanOrAsIs(p)) return [first, p];
    if (first === undefined) seen.set(key, p);
  }
  return undefined;
}

function cleanOrAsIs(p: string): string {
  try {
    return normalizeProjectPath(p);
  } catch {
    return p; // refused by the path rules, with the rule named
  }
}
