// Protected paths (issue 17, items 4 and 8): a job or a model answer can never write the
// project's configuration, jobs/, .git (any case, any depth), .worksplit/ or node_modules/, nor
// use names with control or bidi characters, names too long for the disk, dangling symlinks or
// symlinked tool files. Each is refused with the rule named, and fast (no retries).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveInProject, writeProjectText } from '../../project/project-fs';
import { StatusStore } from '../../project/status-store';
import { commandOnFiles } from '../../core/job';
import { assertWritablePath } from '../../core/paths';
import { runBatch } from '../support/harness';
import { runCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { block, isVerification, jobOf } from '../support/replies';
import { useServers } from '../support/servers';

const t = useServers();

const REFUSED: Array<[string, RegExp]> = [
  ['worksplit.toml', /rule: worksplit\.toml is never written/],
  ['WorkSplit.TOML', /rule: worksplit\.toml is never written/],
  ['jobs/other.md', /rule: nothing under jobs\//],
  ['jobs/_private/x.md', /rule: nothing under jobs\//],
  ['jobs/_jobstatus.json', /rule: nothing under jobs\//],
  ['.GIT/hooks/pre-commit', /rule: nothing in a \.git folder, in any letter case, at any depth/],
  ['vendor/.git/hooks/post-checkout', /rule: nothing in a \.git folder/],
  ['src/.git', /rule: nothing in a \.git folder/],
  ['.worksplit/server.json', /rule: the tool's own state/],
  ['node_modules/.bin/tsc', /rule: installed packages/],
  ['web/node_modules/x/index.js', /rule: installed packages/],
  ['src/evil\u202Etxt.sh', /rule: no bidi control characters in names/],
  ['src/a\u2066b.ts', /rule: no bidi control characters in names/],
  ['src/bell\u0007.ts', /rule: no control characters in names/],
  ['src/c1\u0085.ts', /rule: no control characters in names/],
  [`src/${'n'.repeat(300)}.ts`, /rule: names of at most 255 bytes/],
];

test.each(REFUSED)('%j is refused with its rule', (p, rule) => {
  expect(() => assertWritablePath(p)).toThrow(rule);
});

test('error messages show invisible characters escaped and long names cut', () => {
  expect(() => assertWritablePath('src/evil\u202Etxt.sh')).toThrow('"src/evil\\u202etxt.sh"');
  const long = `src/${'n'.repeat(5000)}`;
  let message = '';
  try {
    assertWritablePath(long);
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message.length).toBeLessThan(400);
});

test('ordinary outputs stay writable', () => {
  for (const p of ['src/a.ts', 'src/_private.ts', 'docs/jobs/x.md', 'gitignore.txt', 'src/.gitignore', 'README.md']) expect(assertWritablePath(p)).toBe(p);
});

function tmpRoot(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ws-paths-'));
  mkdirSync(path.join(root, 'jobs'));
  mkdirSync(path.join(root, 'src'));
  return root;
}

test('a symlinked folder that leads into jobs/ or .git/ is refused for writing', async () => {
  const root = tmpRoot();
  mkdirSync(path.join(root, '.git'));
  symlinkSync(path.join(root, 'jobs'), path.join(root, 'src', 'j'));
  symlinkSync(path.join(root, '.git'), path.join(root, 'src', 'g'));
  await expect(resolveInProject(root, 'src/j/new.md', 'write')).rejects.toThrow(/resolves through a symlink to jobs\/new\.md, which is inside jobs\/ \(rule/);
  await expect(resolveInProject(root, 'src/g/hooks/pre-commit', 'write')).rejects.toThrow(/\.git/);
  await writeProjectText(root, 'src/ok.ts', 'ok', true);
  expect(readFileSync(path.join(root, 'src', 'ok.ts'), 'utf8')).toBe('ok');
});

test('a name just under the 255-byte rule is written (the temp file does not make it too long)', async () => {
  const root = tmpRoot();
  const name = `src/${'n'.repeat(250)}.ts`;
  await writeProjectText(root, name, 'x', true);
  expect(readFileSync(path.join(root, name), 'utf8')).toBe('x');
});

test('a dangling symlink is refused by name, not with a raw ENOENT', async () => {
  const root = tmpRoot();
  symlinkSync(path.join(root, 'nowhere'), path.join(root, 'src', 'gone'));
  await expect(writeProjectText(root, 'src/gone/x.ts', 'x', true)).rejects.toThrow(/goes through src\/gone, a symlink to something that does not exist \(rule: no dangling symlinks\)/);
});

test('a symlinked status file is refused; the file it points to is not rewritten', async () => {
  const root = tmpRoot();
  const outside = path.join(mkdtempSync(path.join(os.tmpdir(), 'ws-out-')), 'elsewhere.json');
  writeFileSync(outside, '[]\n');
  symlinkSync(outside, path.join(root, 'jobs', '_jobstatus.json'));
  await expect(new StatusStore(root).change((es) => es)).rejects.toThrow(/jobs\/_jobstatus\.json" is a symlink \(rule/);
  expect(readFileSync(outside, 'utf8')).toBe('[]\n');
});

test('lint never gets a path as an option', () => {
  expect(commandOnFiles('ls', ['--output=/tmp/x', 'src/a.ts'])).toBe("ls './--output=/tmp/x' 'src/a.ts'");
});

test('in a batch: protected outputs fail by rule, a symlinked system prompt is never sent to the model', async () => {
  const hostile: Record<string, [string, string]> = {
    toml: ['.', 'worksplit.toml'],
    otherjob: ['jobs', 'other.md'],
    gitcase: ['.GIT/hooks', 'pre-commit'],
    nodemod: ['node_modules/.bin', 'tsc'],
    bidi: ['src', 'evil\u202Etxt.sh'],
    toolong: ['src', `${'n'.repeat(300)}.ts`],
  };
  const jobs = Object.fromEntries(Object.entries(hostile).map(([id, [dir, file]]) => [id, { fm: { output_dir: dir, output_file: file } }]));
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { ...jobs, good: simpleJob('good') } });
  const tomlBefore = readFileSync(path.join(root, 'worksplit.toml'), 'utf8');
  const secret = path.join(mkdtempSync(path.join(os.tmpdir(), 'ws-secret-')), 'secret.txt');
  writeFileSync(secret, 'TOP-SECRET-VALUE\n');
  // The verify prompt becomes a link to a secret outside the project.
  const verifyPrompt = path.join(root, 'jobs', '_systemprompt_verify.md');
  unlinkSync(verifyPrompt);
  symlinkSync(secret, verifyPrompt);
  const prompts: string[] = [];
  t.ollama.respond = (req) => {
    prompts.push(req.system + req.user);
    const id = jobOf(req);
    if (isVerification(req)) return { content: 'PASS' };
    return { content: block(`out/${id}.txt`, 'x') };
  };
  const r = await runBatch(t.h, root);
  for (const id of ['toml', 'otherjob', 'gitcase', 'nodemod', 'bidi', 'toolong']) {
    expect([id, r.jobs[id].state]).toEqual([id, 'failed']);
    expect(r.jobs[id].reason).toMatch(/\(rule: /);
  }
  expect(r.jobs.good.state).toBe('failed');
  expect(r.jobs.good.reason).toMatch(/jobs\/_systemprompt_verify\.md" is a symlink \(rule: /);
  expect(prompts.some((p) => p.includes('TOP-SECRET-VALUE'))).toBe(false);
  expect(readFileSync(path.join(root, 'worksplit.toml'), 'utf8')).toBe(tomlBefore);
  expect(existsSync(path.join(root, 'jobs', 'other.md'))).toBe(false);
  expect(existsSync(path.join(root, '.GIT'))).toBe(false);
  expect(existsSync(path.join(root, 'node_modules'))).toBe(false);
}, 120_000);

test('a symlinked status file stops run and status with the rule named', async () => {
  const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { a: simpleJob('a') } });
  const outside = path.join(mkdtempSync(path.join(os.tmpdir(), 'ws-out-')), 'victim.json');
  writeFileSync(outside, '[]\n');
  symlinkSync(outside, path.join(root, 'jobs', '_jobstatus.json'));
  const r = await runCli(['--path', root, 'run', '--no-health-check'], { TEMPORAL_ADDRESS: t.h.address });
  expect(r.output).toMatch(/jobs\/_jobstatus\.json" is a symlink \(rule: /);
  expect(r.code).not.toBe(0);
  expect(readFileSync(outside, 'utf8')).toBe('[]\n');
});
