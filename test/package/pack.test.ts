// The package as a user gets it: `npm pack` (its prepack builds from a copy of this checkout),
// `npm install -g` of the tarball into a temporary prefix, then the installed `worksplit`:
// --help, init, and a run against its own Ollama-protocol test server (`worksplit test-server`)
// on the embedded Temporal server. The install skips install scripts, as npm does when they are not allowed (npm 11's
// allowScripts policy: a warning by default today, a refusal with strict-allow-scripts and in
// later versions), so the first command that needs the Temporal CLI installs it, or, when it
// cannot, names the one command that does.
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { placeholderContent } from '../../testing/canned-replies';
import { waitFor } from '../support/harness';

const REPO = path.join(__dirname, '..', '..');
/** Not shipped, or rebuilt by the pack: left out of the copy that is packed. */
const NOT_COPIED = new Set(['node_modules', 'dist', '.tools', '.git', '.demo', '.worksplit', 'test-artifacts']);
const run = promisify(execFile);

let testServer: ChildProcess | undefined;
let work: string;
let installed: string;
let project: string | undefined;

/** The environment of a user's shell: nothing from the `npm test` that runs this file, and no
 * test-only overrides (the installed package must use its own workflow bundle). */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && !k.startsWith('WORKSPLIT_')));
  return { ...env, NO_COLOR: '1', TEMPORAL_ADDRESS: '', ...extra };
}

async function worksplit(args: string[], env: NodeJS.ProcessEnv = userEnv()): Promise<{ code: number; output: string }> {
  try {
    const r = await run(path.join(installed, 'bin', 'worksplit'), args, { env, timeout: 300_000 });
    return { code: 0, output: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

beforeAll(async () => {
  work = path.join(process.env.WORKSPLIT_TEST_TMP!, `package-${process.pid}`);
  const checkout = path.join(work, 'checkout');
  cpSync(REPO, checkout, { recursive: true, filter: (src) => !NOT_COPIED.has(path.basename(src)) || path.dirname(src) !== REPO });
  symlinkSync(path.join(REPO, 'node_modules'), path.join(checkout, 'node_modules'));
  await run('npm', ['pack', '--pack-destination', work], { cwd: checkout, env: userEnv(), timeout: 600_000 });
  installed = path.join(work, 'global');
  const tarball = readdirSync(work).find((f) => /^worksplit-.*\.tgz$/.test(f))!;
  await run('npm', ['install', '-g', '--prefix', installed, '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', path.join(work, tarball)], { env: userEnv(), timeout: 600_000 });
}, 1_200_000);

afterAll(async () => {
  if (project) await worksplit(['--path', project, 'server', 'stop']);
  testServer?.kill('SIGTERM');
});

test('the packed tarball holds the built CLI, templates and docs, and no tests, bench, histories or CI', async () => {
  const listing = (await run('tar', ['-tzf', path.join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!)])).stdout.split('\n');
  for (const f of ['package/bin/worksplit.js', 'package/dist/client/cli.js', 'package/dist/workflow-bundle.js', 'package/templates/languages.json', 'package/docs/jobs.md', 'package/docs/design.md', 'package/docs/workers.md', 'package/README.md', 'package/scripts/install-temporal.js']) {
    expect(listing).toContain(f);
  }
  expect(listing.filter((f) => /^package\/(test|bench|\.ci|examples)\/|^package\/dist\/(test|bench)\/|\.test\.|histories|\.map$/.test(f))).toEqual([]);
});

test('the globally installed worksplit answers --help, inits a project and runs it on the embedded server', async () => {
  const help = await worksplit(['--help']);
  expect(help.code).toBe(0);
  expect(help.output).toMatch(/Usage: worksplit/);
  expect(help.output).toMatch(/\brun\b/);

  project = path.join(work, 'my-project');
  const init = await worksplit(['--path', project, 'init', '--lang', 'typescript', '--model', 'qwen-32k:latest']);
  expect(init.code).toBe(0);
  expect(existsSync(path.join(project, 'worksplit.toml'))).toBe(true);
  writeFileSync(path.join(project, 'jobs', 'hello.md'), '---\noutput_dir: out\noutput_file: hello.txt\n---\n\nJOB hello: write the file.\n');

  // The package's postinstall did not run, so no Temporal CLI sits in the package yet. With no
  // python3 to install one, the command says which one command does it.
  expect(existsSync(path.join(installed, 'lib', 'node_modules', 'worksplit', '.tools'))).toBe(false);
  const nodeOnly = path.join(work, 'node-only-bin');
  mkdirSync(nodeOnly, { recursive: true });
  symlinkSync(process.execPath, path.join(nodeOnly, 'node'));
  const noPython = await worksplit(['--path', project, 'server', 'start'], userEnv({ PATH: nodeOnly }));
  expect(noPython.code).not.toBe(0);
  const script = path.join(installed, 'lib', 'node_modules', 'worksplit', 'scripts', 'install-temporal.js');
  expect(noPython.output).toContain(`run node ${JSON.stringify(script)}`);

  // The test server the package ships, then, with the user's PATH (python3 there), the first run
  // installs the Temporal CLI itself and runs init's example jobs and ours.
  testServer = spawn(path.join(installed, 'bin', 'worksplit'), ['--path', project, 'test-server', '--port', '0'], { env: userEnv(), stdio: ['ignore', 'pipe', 'inherit'] });
  let banner = '';
  testServer.stdout!.on('data', (d) => (banner += d));
  await waitFor(() => /TEST server .* at (http:\S+)/.test(banner), 30_000, 'the test server banner');
  const url = /TEST server .* at (http:\S+)/.exec(banner)![1];
  const first = await worksplit(['--path', project, 'run', '--url', url]);
  expect(first.output).toContain('Batch done: 3 passed');
  expect(first.code).toBe(0);
  expect(readFileSync(path.join(project, 'out', 'hello.txt'), 'utf8')).toBe(`${placeholderContent('out/hello.txt')}\n`);
});
