// `npm run demo`: copy examples/demo to .demo/ and run it with `worksplit run` on the embedded
// Temporal server. With no Ollama answering at the demo's URL (or without its model), it starts
// the project's Ollama-protocol test server on loopback with recorded answers, and says so.
import { cpSync, existsSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { checkOllama } from '../client/ollama-health';
import { runCommand } from '../client/commands/run';
import { stopServer } from '../client/dev-server';
import { consoleOutput, colors } from '../client/output';
import { loadProject } from '../client/project';
import { packageRoot } from '../worker/bundle';
import { OllamaTestServer } from '../testing/ollama-test-server';
import { recordedReplies } from '../testing/canned-replies';

async function main(): Promise<number> {
  const pkg = packageRoot();
  const demo = path.join(pkg, '.demo', 'todo-demo');
  if (existsSync(demo)) await stopServer(demo);
  rmSync(demo, { recursive: true, force: true });
  cpSync(path.join(pkg, 'examples', 'demo'), demo, { recursive: true });
  const out = consoleOutput();
  const { config } = await loadProject(demo);
  let url: string | undefined;
  let fake: OllamaTestServer | undefined;
  const health = await checkOllama(config.ollama.url, config.ollama.model, 2000);
  if (health.ok) {
    out.line(`Using the real Ollama at ${config.ollama.url} with ${config.ollama.model}.`);
  } else {
    fake = await new OllamaTestServer({ models: [config.ollama.model], respond: recordedReplies(path.join(pkg, 'examples', 'demo-replies'), { latencyMs: 400, tokenDelayMs: 4 }) }).start();
    url = fake.url;
    out.line(colors.yellow(health.message.split(';')[0] + '.'));
    out.line(colors.yellow(`This demo uses worksplit's Ollama-protocol test server at ${url} instead: it streams recorded answers from examples/demo-replies/ and passes every verification.`));
  }
  out.line(`Demo project: ${path.relative(process.cwd(), demo) || '.'} (a copy of examples/demo)\n`);
  try {
    const code = await runCommand({ path: demo, url }, out);
    out.line(`\nThe embedded Temporal server keeps running so you can inspect the batch in the Web UI (link above).`);
    out.line(`Stop it with: node bin/worksplit.js --path .demo/todo-demo server stop`);
    return code;
  } finally {
    await fake?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`error: ${(e as Error).message}`);
    process.exit(2);
  },
);
