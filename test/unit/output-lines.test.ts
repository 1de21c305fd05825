// What max_output_lines counts (core/output-lines.ts): what the model wrote, not the files it edited.
import { editsWritten, filesWritten, insertsWritten, overOutputLines } from '../../core/output-lines';

test('a whole file counts its lines, with the message it always had', () => {
  expect(filesWritten([{ path: 'src/a.ts', content: 'a\nb\nc\n' }])).toEqual([{ what: 'src/a.ts', lines: 3, file: true }]);
  expect(overOutputLines(filesWritten([{ path: 'src/a.ts', content: 'a\nb\nc\nd\n' }]), 3)).toBe('src/a.ts has 4 lines, over max_output_lines (3)');
  expect(overOutputLines(filesWritten([{ path: 'src/a.ts', content: 'a\nb\nc\n' }]), 3)).toBeUndefined();
});

test("an edit answer counts its REPLACE text, added up per file; a deletion writes nothing", () => {
  const edits = [
    { file: 'src/big.rs', find: 'x'.repeat(10).split('').join('\n'), replace: 'one\ntwo' },
    { file: 'src/big.rs', find: 'y', replace: 'three' },
    { file: 'src/other.rs', find: 'z', replace: '' },
  ];
  expect(editsWritten(edits)).toEqual([
    { what: 'the edits to src/big.rs', lines: 3 },
    { what: 'the edits to src/other.rs', lines: 0 },
  ]);
  expect(overOutputLines(editsWritten(edits), 3)).toBeUndefined();
  expect(overOutputLines(editsWritten(edits), 2)).toMatch(/^the edits to src\/big\.rs are 3 lines, over max_output_lines \(2\)/);
});

test('a pattern answer counts each INSERT once, however many lines it lands after', () => {
  const inserts = [{ after: 'a', insert: 'p\nq' }, { after: 'b', insert: 'r', scope: 'impl X' }];
  expect(insertsWritten(inserts)).toEqual([{ what: 'the insertions', lines: 3 }]);
  expect(overOutputLines(insertsWritten(inserts), 2)).toMatch(/^the insertions are 3 lines, over max_output_lines \(2\)/);
});
