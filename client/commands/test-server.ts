// `worksplit test-server`: worksplit's own Ollama-protocol TEST server on loopback, to try a job
// folder (the prompts, Temporal, the files written, the statuses) without a model. It answers
// every generation with one file per output path the prompt names (from --replies DIR when that
// holds the path, a placeholder line otherwise) and passes every verification.
import * as path from 'node:path';
import { placeholderReplies } from '../../testing/canned-replies';
import { OllamaTestServer } from '../../testing/ollama-test-server';
import { Output, colors } from '../output';
import { loadProject } from '../project';
import { shownValue } from '../../core/shown';

export interface TestServerOptions {
  path: string;
  port: number;
  replies?: string;
  model?: string[];
}

export async function testServerCommand(opts: TestServerOptions, out: Output): Promise<number> {
  const models = opts.model?.length ? opts.model : [(await loadProject(opts.path)).config.ollama.model];
  const replies = opts.replies ? path.resolve(opts.replies) : undefined;
  const server = await new OllamaTestServer({ models, respond: placeholderReplies(replies) }).start(opts.port);
  out.line(colors.yellow(`worksplit's Ollama-protocol TEST server (no model runs) at ${server.url}`));
  out.line(`Models it answers for: ${models.map(shownValue).join(', ')}.`);
  out.line(`Generations get ${replies ? `the files in ${replies} (by output path), or placeholders` : 'a placeholder line per output file'}; every verification passes.`);
  out.line(`Try a job folder against it from another terminal: worksplit --path <project> run --url ${server.url}`);
  out.line('Ctrl-C stops it.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.stop();
  out.line(`Test server stopped after ${server.calls().length} model calls.`);
  return 0;
}
