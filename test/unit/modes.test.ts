// core/modes.ts on made-up answers: what a mode makes of the model's text.
import type { JobSpec } from '../../core/job';
import { type ModeContext, produce } from '../../core/modes';

function job(over: Partial<JobSpec> = {}): JobSpec {
  return { id: 'a', mode: 'replace', contextFiles: [], outputDir: 'src', outputFile: 'a.ts', outputPath: 'src/a.ts', sequential: false, verify: true, dependsOn: [], instructions: 'x', ...over };
}

function answering(text: string, over: Partial<ModeContext> = {}): ModeContext {
  return { job: job(), extraContext: [], ask: async () => ({ text, targets: [] }), readFiles: async () => [], ...over };
}

test("a replace job's answer without its one declared output is refused (and retried), even with another file in it", async () => {
  const r = await produce(answering('~~~worksplit:src/other.ts\nexport const o = 1;\n~~~worksplit\n'));
  expect(r).toEqual({ ok: false, error: 'the answer is missing src/a.ts', type: 'NoCodeInAnswer', retryable: true });
  // With the output there, other files may come along.
  const both = await produce(answering('~~~worksplit:src/a.ts\nexport const a = 1;\n~~~worksplit\n~~~worksplit:src/other.ts\nexport const o = 1;\n~~~worksplit\n'));
  expect(both.ok && both.files.map((f) => f.path)).toEqual(['src/a.ts', 'src/other.ts']);
  // A workflow replaying a job from before this rule decides as it did then: the answer passed.
  const earlier = await produce(answering('~~~worksplit:src/other.ts\nexport const o = 1;\n~~~worksplit\n', { newerAnswerRules: () => false }));
  expect(earlier.ok).toBe(true);
});

test('a sequential step whose answer also holds the later files of the set keeps its own file', async () => {
  const seq = job({ sequential: true, outputFiles: ['src/d1.ts', 'src/d2.ts'] });
  const answers = ['~~~worksplit:src/d1.ts\none\n~~~worksplit\n~~~worksplit:src/d2.ts\nearly two\n~~~worksplit\n', '~~~worksplit:src/d2.ts\ntwo\n~~~worksplit\n'];
  const r = await produce(answering('', { job: seq, ask: async () => ({ text: answers.shift()!, targets: [] }) }));
  expect(r).toEqual({ ok: true, files: [{ path: 'src/d1.ts', content: 'one\n' }, { path: 'src/d2.ts', content: 'two\n' }] });
  // A file outside the set is still refused.
  const stray = await produce(answering('', { job: seq, ask: async () => ({ text: '~~~worksplit:src/d1.ts\none\n~~~worksplit\n~~~worksplit:src/zz.ts\nx\n~~~worksplit\n', targets: [] }) }));
  expect(stray.ok).toBe(false);
});
