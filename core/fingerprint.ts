// A job file's fingerprint: how a running batch tells a job file changed since it planned. FNV-1a
// over the parsed job (front matter and instructions), 32 bits as 8 hex digits: small enough to
// carry for thousands of jobs in the batch's history. Pure.
import type { JobSpec } from './job';

export function jobFingerprint(job: JobSpec): string {
  const text = JSON.stringify(job);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Fingerprints of the valid jobs among `ids`. */
export function fingerprintsOf(jobs: JobSpec[], ids: Iterable<string>): Record<string, string> {
  const want = new Set(ids);
  const out: Record<string, string> = {};
  for (const j of jobs) if (want.has(j.id)) out[j.id] = jobFingerprint(j);
  return out;
}
