// docs/deploy.md's commands are the ones the tier runs: each command of the guide's shell blocks
// (the schema tool, the server, the temporal CLI's operator commands, worksplit's) has its
// counterpart, with the same subcommand and at least the same options, in scripts/cluster/ or in
// the tier's tests; and the pinned version is the one build.sh builds.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

const REPO = path.join(__dirname, '..', '..');
const read = (rel: string) => readFileSync(path.join(REPO, rel), 'utf8');
const guide = read('docs/deploy.md');
const start = read('scripts/cluster/start.sh');
const build = read('scripts/cluster/build.sh');
const tests = readdirSync(__dirname)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(path.join(__dirname, f), 'utf8'))
  .join('\n');

/** Every line of the guide's ```sh blocks, comments cut. */
function guideCommands(): string[] {
  const lines: string[] = [];
  for (const m of guide.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const line of m[1].split('\n')) {
      const cmd = line.replace(/\s+#.*$/, '').trim();
      if (cmd) lines.push(cmd);
    }
  }
  return lines;
}

const options = (words: string[]) => words.filter((w) => /^--?[a-z]/.test(w)).sort();
const subset = (a: string[], b: string[]) => a.every((x) => b.includes(x));
/** The words of a shell line or of a TypeScript array of arguments ('a', 'b', ...). */
const words = (line: string) => (line.includes("'") ? [...line.matchAll(/'([^']*)'/g)].map((m) => m[1]) : line.split(/\s+/).map((w) => w.replace(/^"|"$/g, '')));

test('the guide pins the server version build.sh builds, and the packages it builds', () => {
  const version = /TEMPORAL_SERVER_VERSION=(v[\d.]+)/.exec(build)![1];
  expect(guide).toContain(`go mod download go.temporal.io/server@${version}`);
  expect(guide).toContain(`go.temporal.io/server@${version}`);
  for (const [pkg, out] of [['server', 'temporal-server'], ['tools/sql', 'temporal-sql-tool']]) {
    expect(guide).toContain(`go build -o ~/bin/${out} ./cmd/${pkg}`);
    expect(build).toContain(`"${pkg}:${out}"`);
  }
  expect(build).toMatch(/go build -trimpath -o "\$CACHE\/bin\/\$out\.tmp" "\.\/cmd\/\$pkg"/);
});

test('each schema-tool, server and operator command of the guide is run by scripts/cluster/start.sh', () => {
  const cmds = guideCommands();
  // The schema tool's connection options.
  const sql = cmds.find((c) => c.startsWith('SQL="temporal-sql-tool'))!;
  const sqlTool = /SQL_TOOL=\(([^)]*)\)/.exec(start)![1];
  expect(options(words(sqlTool))).toEqual(options(words(sql.replace(/^SQL="|"$/g, ''))));
  expect(sqlTool).toContain('--plugin postgres12');
  // create-database, setup-schema, update-schema for both databases.
  const sqlSteps = cmds.filter((c) => c.startsWith('$SQL '));
  expect(sqlSteps).toHaveLength(6);
  for (const c of sqlSteps) {
    const w = words(c);
    const sub = w[3];
    const line = start.split('\n').find((l) => l.includes(`"\${SQL_TOOL[@]}" --db "$db" ${sub}`));
    expect([sub, line !== undefined]).toEqual([sub, true]);
    // The command alone: up to its redirection or its || handler.
    expect(options(words(line!.split(/\s(?:>>|\|\|)/)[0]))).toEqual(options(w));
    if (sub === 'update-schema') expect(line).toContain(`/schema/postgresql/v12/$folder/versioned`);
  }
  expect(guide).toContain('update-schema -d schema/postgresql/v12/temporal/versioned');
  expect(guide).toContain('update-schema -d schema/postgresql/v12/visibility/versioned');
  // The server.
  expect(cmds).toContain('temporal-server --config-file temporal.yaml --allow-no-auth start');
  expect(start).toContain('"$CACHE/bin/temporal-server" --config-file "$RUN/temporal.yaml" --allow-no-auth start');
  // The temporal CLI's operator commands.
  const operator = cmds.filter((c) => c.startsWith('temporal operator '));
  expect(operator.length).toBeGreaterThanOrEqual(5);
  const scripted = start.split('\n').filter((l) => l.includes('"$TEMPORAL" operator '));
  for (const c of operator) {
    const w = words(c);
    const verb = w.slice(0, w.findIndex((x) => x.startsWith('--'))).slice(1).join(' ');
    const match = scripted.find((l) => l.includes(`"$TEMPORAL" ${verb} `) && subset(options(w), options(words(l.slice(l.indexOf('"$TEMPORAL"'))))));
    expect([c, match !== undefined]).toEqual([c, true]);
  }
});

test("each worksplit command of the guide's worker and checkout sections is one the tier runs", () => {
  const cmds = guideCommands().filter((c) => /^worksplit /.test(c));
  const invocations = tests.split('\n').filter((l) => /net\.worksplit\(|runCli\(|spawnCli\(/.test(l)).map(words);
  expect(cmds.length).toBeGreaterThanOrEqual(3);
  for (const c of cmds) {
    const w = words(c).slice(1);
    const verb = w.find((x) => !x.startsWith('-') && !x.startsWith('/'))!;
    const opts = options(w).filter((o) => o !== '--path');
    const match = invocations.find((inv) => inv.includes(verb) && subset(opts, options(inv)));
    expect([c, match !== undefined]).toEqual([c, true]);
  }
  // The tier reaches the server only as the guide says: TEMPORAL_ADDRESS.
  expect(guide).toContain('export TEMPORAL_ADDRESS=temporal-host:7233');
  expect(tests).toContain('TEMPORAL_ADDRESS: host.temporalAddress');
});
