// Reading test prompts and writing scripted answers in worksplit's formats.
import type { RecordedRequest, Reply } from './ollama-test-server';

/** The job a request belongs to: test job bodies say "JOB <id>". */
export function jobOf(req: RecordedRequest): string {
  const m = /JOB ([A-Za-z0-9._-]+)/.exec(req.user);
  if (!m) throw new Error(`no JOB marker in prompt: ${req.user.slice(0, 200)}`);
  return m[1];
}

export function isVerification(req: RecordedRequest): boolean {
  return req.user.includes('[GENERATED OUTPUT]');
}

export function isRetry(req: RecordedRequest): boolean {
  return req.user.includes('[PREVIOUS ATTEMPT]');
}

export function block(path: string, content: string): string {
  return `Here is the file.\n\n~~~worksplit:${path}\n${content}\n~~~worksplit\n`;
}

/** The content the default responder writes for a job. */
export function contentFor(id: string): string {
  return `generated for ${id}`;
}

/** A responder: every generation writes `out/<id>.txt`, every verification passes. */
export function passingReplies(extra: Partial<Reply> = {}) {
  return (req: RecordedRequest): Reply => {
    const id = jobOf(req);
    if (isVerification(req)) return { content: 'PASS', ...extra };
    return { content: block(`out/${id}.txt`, contentFor(id)), ...extra };
  };
}
