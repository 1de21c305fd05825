// Responders that answer any job without a model: generation prompts get one file per output path
// the prompt names, and every verification passes. The offline demo and the benchmarks answer
// with files recorded in a folder; `worksplit test-server` answers with placeholders unless given
// such a folder.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RecordedRequest, Reply } from './ollama-test-server';

export function outputPathsOf(prompt: string): string[] {
  const section = prompt.slice(prompt.lastIndexOf('[OUTPUT]'));
  const single = [...section.matchAll(/~~~worksplit:(\S+)/g)].map((m) => m[1]);
  const listed = [...section.matchAll(/^- (\S+)$/gm)].map((m) => m[1]);
  return [...new Set([...single, ...listed])];
}

export function isVerificationPrompt(req: RecordedRequest): boolean {
  return req.user.includes('[GENERATED OUTPUT]');
}

/** A passing verdict in the form the call asked for: the JSON of its schema when it sent one
 * (as Ollama's structured output answers), else the verdict word. */
export function passingVerdict(req: RecordedRequest): string {
  return req.body.format ? JSON.stringify({ verdict: 'PASS', reason: 'the files do what the instructions ask' }) : 'PASS';
}

type Pace = { latencyMs?: number; tokenDelayMs?: number };

function filesReply(req: RecordedRequest, contentOf: (outputPath: string) => string, pace: Pace): Reply {
  if (isVerificationPrompt(req)) return { content: passingVerdict(req), latencyMs: pace.latencyMs };
  const blocks = outputPathsOf(req.user).map((p) => `~~~worksplit:${p}\n${contentOf(p).replace(/\n$/, '')}\n~~~worksplit`);
  return { content: blocks.join('\n\n'), ...pace };
}

/** Every output file from `dir/<output path>`; a missing file is an error naming it. */
export function recordedReplies(dir: string, pace: Pace = {}) {
  return (req: RecordedRequest): Reply => filesReply(req, (p) => readFileSync(path.join(dir, ...p.split('/')), 'utf8'), pace);
}

/** The placeholder `worksplit test-server` writes for an output file it has no recording of. */
export function placeholderContent(outputPath: string): string {
  return `placeholder for ${outputPath} from worksplit's Ollama-protocol test server (no model ran)`;
}

/** Recorded files where `dir` has them, placeholders otherwise. */
export function placeholderReplies(dir?: string, pace: Pace = {}) {
  return (req: RecordedRequest): Reply =>
    filesReply(req, (p) => {
      const recorded = dir ? path.join(dir, ...p.split('/')) : undefined;
      return recorded && existsSync(recorded) ? readFileSync(recorded, 'utf8') : placeholderContent(p);
    }, pace);
}
