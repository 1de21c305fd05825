// A responder that answers generation prompts with files recorded in a folder (by output path)
// and passes every verification: the offline demo and the benchmarks use it.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { RecordedRequest, Reply } from './ollama-test-server';

export function outputPathsOf(prompt: string): string[] {
  const section = prompt.slice(prompt.lastIndexOf('[OUTPUT]'));
  const single = [...section.matchAll(/~~~worksplit:(\S+)/g)].map((m) => m[1]);
  const listed = [...section.matchAll(/^- (\S+)$/gm)].map((m) => m[1]);
  return [...new Set([...single, ...listed])];
}

export function recordedReplies(dir: string, pace: { latencyMs?: number; tokenDelayMs?: number } = {}) {
  return (req: RecordedRequest): Reply => {
    if (req.user.includes('[GENERATED OUTPUT]')) return { content: 'PASS', latencyMs: pace.latencyMs };
    const blocks = outputPathsOf(req.user).map((p) => {
      const content = readFileSync(path.join(dir, ...p.split('/')), 'utf8').replace(/\n$/, '');
      return `~~~worksplit:${p}\n${content}\n~~~worksplit`;
    });
    return { content: blocks.join('\n\n'), ...pace };
  };
}
