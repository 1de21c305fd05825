// `worksplit init`: a new project folder with worksplit.toml, the system prompts for every mode,
// the manager instruction and two example jobs. Never overwrites without --force.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_MODEL } from '../../core/config';
import { writeFileAtomic } from '../../project/atomic-write';
import { LANGUAGES, Language, projectFiles } from '../templates';
import { Output, UsageError, colors } from '../output';

export interface InitOptions {
  path: string;
  lang?: string;
  model?: string;
  force?: boolean;
}

export async function initCommand(opts: InitOptions, out: Output): Promise<number> {
  let lang = opts.lang;
  let model = opts.model;
  if ((lang === undefined || model === undefined) && process.stdin.isTTY && process.stdout.isTTY) {
    const { select, input } = await import('@inquirer/prompts');
    lang ??= await select({ message: 'Language of the project', choices: LANGUAGES.map((l) => ({ value: l, name: l })) });
    model ??= await input({ message: 'Ollama model', default: DEFAULT_MODEL });
  }
  lang ??= 'typescript';
  model ??= DEFAULT_MODEL;
  if (!(LANGUAGES as readonly string[]).includes(lang)) throw new UsageError(`--lang must be one of ${LANGUAGES.join(', ')} (got "${lang}")`);
  const root = path.resolve(opts.path);
  const files = projectFiles(lang as Language, model);
  const existing = files.filter((f) => existsSync(path.join(root, f.path)));
  if (existing.length > 0 && !opts.force) {
    throw new UsageError(`not overwriting ${existing.map((f) => f.path).join(', ')} in ${root}; use --force to replace them`);
  }
  for (const f of files) {
    mkdirSync(path.dirname(path.join(root, f.path)), { recursive: true });
    await writeFileAtomic(path.join(root, f.path), f.content, { displayName: f.path });
  }
  if (ignoreServerState(root)) out.line(`  ${colors.green('+')} .gitignore: .worksplit/`);
  out.line(`Initialized a ${lang} worksplit project in ${root} (model ${model}):`);
  for (const f of files) out.line(`  ${colors.green('+')} ${f.path}`);
  out.line(`\nNext: edit or add jobs in jobs/ (worksplit new-job NAME), then: worksplit run`);
  return 0;
}

/** .worksplit/ holds the embedded server's database, log and pid: machine-local state that must
 * never be committed (a pid from another machine or boot names an unrelated process). Returns
 * whether .gitignore was changed. */
function ignoreServerState(root: string): boolean {
  const file = path.join(root, '.gitignore');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (text.split(/\r?\n/).some((l) => ['.worksplit', '.worksplit/', '/.worksplit', '/.worksplit/'].includes(l.trim()))) return false;
  appendFileSync(file, `${text === '' || text.endsWith('\n') ? '' : '\n'}.worksplit/\n`);
  return true;
}
