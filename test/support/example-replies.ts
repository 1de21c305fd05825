// Scripted answers for the example job folders (examples/<name>/): each job's model calls are
// answered in order from examples/replies/<name>/<job>.<n>.md; a call with no file is a
// verification and passes. Jobs are recognised by the title line of their instructions.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { RecordedRequest, Reply } from './ollama-test-server';

export function exampleReplies(projectDir: string, repliesDir: string) {
  const titles = new Map<string, string>();
  for (const f of readdirSync(path.join(projectDir, 'jobs')).filter((n) => n.endsWith('.md') && !n.startsWith('_'))) {
    const title = /^# .+$/m.exec(readFileSync(path.join(projectDir, 'jobs', f), 'utf8').split(/^---$/m).slice(2).join('---'))?.[0];
    if (title) titles.set(title, f.replace(/\.md$/, ''));
  }
  const calls = new Map<string, number>();
  return (req: RecordedRequest): Reply => {
    const instructions = req.user.slice(req.user.indexOf('[INSTRUCTIONS]'));
    const title = [...titles.keys()].find((t) => instructions.includes(t));
    if (!title) throw new Error(`no example job matches this prompt: ${instructions.slice(0, 120)}`);
    const id = titles.get(title)!;
    const n = (calls.get(id) ?? 0) + 1;
    calls.set(id, n);
    const file = path.join(repliesDir, `${id}.${n}.md`);
    if (existsSync(file)) return { content: readFileSync(file, 'utf8') };
    if (req.user.includes('[GENERATED OUTPUT]')) return { content: 'PASS' };
    throw new Error(`no scripted reply ${file}`);
  };
}
