// The layers of docs/design.md, read from the sources' import lines: what each folder may use.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

interface ImportLine {
  file: string;
  /** The imported module, relative ones resolved to a project folder ("core/x"). */
  target: string;
  typeOnly: boolean;
}

function importsOf(folder: string): ImportLine[] {
  const out: ImportLine[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith('.ts')) {
        const text = readFileSync(path.join(ROOT, rel), 'utf8');
        for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'|require\('([^']+)'\)/gm)) {
          const spec = m[2] ?? m[3];
          const target = spec.startsWith('.') ? path.relative(ROOT, path.join(ROOT, dir, spec)) : spec;
          out.push({ file: rel, target, typeOnly: !!m[1] });
        }
      }
    }
  };
  walk(folder);
  return out;
}

const inFolder = (line: ImportLine, ...folders: string[]) => folders.some((f) => line.target === f || line.target.startsWith(`${f}/`));
const show = (lines: ImportLine[]) => lines.map((l) => `${l.file} -> ${l.target}`);

test('the reader sees the imports it checks', () => {
  expect(show(importsOf('activities').filter((l) => inFolder(l, 'project')))).toContain('activities/prompts.ts -> project/prompt-files');
});

test('core/ is pure: no Node modules and nothing from the other layers', () => {
  const bad = importsOf('core').filter((l) => l.target.startsWith('node:') || (!l.target.startsWith('core/') && /^[a-z-]+\//.test(l.target) && !l.target.startsWith('@')));
  expect(show(bad)).toEqual([]);
});

test('project/ and ollama-api/ use neither activities, workflows, workers nor the CLI', () => {
  const bad = [...importsOf('project'), ...importsOf('ollama-api')].filter((l) => inFolder(l, 'activities', 'workflows', 'worker', 'client'));
  expect(show(bad)).toEqual([]);
});

test('the CLI imports nothing from activities/ (what it shares with a worker is in core/, project/, ollama-api/)', () => {
  expect(show(importsOf('client').filter((l) => inFolder(l, 'activities')))).toEqual([]);
});

test('workflows/ import only types from activities/ and nothing from project/ or the CLI', () => {
  const lines = importsOf('workflows');
  expect(show(lines.filter((l) => inFolder(l, 'activities') && !l.typeOnly))).toEqual([]);
  expect(show(lines.filter((l) => inFolder(l, 'project', 'client', 'worker', 'ollama-api')))).toEqual([]);
});

test('activities/ use neither workflow code nor the CLI (the modes they run to a first call are in core/)', () => {
  expect(show(importsOf('activities').filter((l) => inFolder(l, 'workflows', 'client')))).toEqual([]);
});
