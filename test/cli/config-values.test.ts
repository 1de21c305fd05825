// Values from worksplit.toml as the CLI shows them (issue 23): an Ollama URL that is not http or
// https is a clear error naming the field (not a stack trace), a password in it is never printed,
// and escape codes in a value such as the model are shown escaped, not sent to the terminal.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli, sharedServerEnv } from '../support/processes';
import { useStandInModel } from '../support/servers';
import { makeProject, simpleJob } from '../support/project';

const model = useStandInModel();
const env = sharedServerEnv;

function projectWith(ollamaToml: string): string {
  const root = makeProject({ ollamaUrl: model.ollama.url, jobs: { a: simpleJob('a') } });
  writeFileSync(path.join(root, 'worksplit.toml'), `[ollama]\n${ollamaToml}\n\n[temporal]\ntask_queue = "cfgvalues-${process.pid}"\n`);
  return root;
}

test.each([['validate'], ['preview', 'a'], ['run'], ['run', '--dry-run']])('a file:// Ollama URL: `%s` exits 2 naming ollama.url, without a stack trace', async (...args) => {
  const root = projectWith('url = "file:///etc/passwd"');
  const r = await runCli(['--path', root, ...args], env());
  expect(r.code).toBe(2);
  expect(r.output).toContain('worksplit.toml: ollama.url: must be an http:// or https:// URL (Ollama\'s API), not file:');
  expect(r.output).not.toMatch(/TypeError|\n\s+at /);
});

test('--url is checked the same way', async () => {
  const root = projectWith(`url = "${model.ollama.url}"`);
  const r = await runCli(['--path', root, 'run', '--url', 'ftp://host/'], env());
  expect(r.code).toBe(2);
  expect(r.output).toContain('--url: must be an http:// or https:// URL (Ollama\'s API), not ftp:');
});

test.each([['validate'], ['preview', 'a'], ['run']])('a password in the Ollama URL is never printed: `%s`', async (...args) => {
  const root = projectWith('url = "http://me:hunter2@127.0.0.1:9"');
  const r = await runCli(['--path', root, ...args], env());
  expect(r.code).toBe(2);
  expect(r.output).toContain('ollama.url: must not hold a user name or password ("http://***@127.0.0.1:9")');
  expect(r.output).not.toContain('hunter2');
});

test('escape codes in the model name are shown escaped by validate and preview', async () => {
  const root = projectWith(`url = "${model.ollama.url}"\nmodel = "m\\u001b[2J\\u001b]0;pwned\\u0007"`);
  for (const args of [['validate'], ['preview', 'a']]) {
    const r = await runCli(['--path', root, ...args], env());
    expect(r.output).not.toContain('\u001b[2J');
    expect(r.output).not.toContain('\u0007');
    expect(r.output).toContain('m\\u001b[2J\\u001b]0;pwned\\u0007');
  }
});
