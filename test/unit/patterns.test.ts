import { addFieldToStructLiterals, applyPatternInserts, parsePatternInserts } from '../../core/patterns';

test('AFTER/INSERT pairs with an optional SCOPE', () => {
  const r = parsePatternInserts('SCOPE: fn build\nAFTER: let mut cfg\nINSERT:\n    cfg.verbose = true;\nEND\nAFTER: use std::io;\nINSERT: use std::fs;\nEND');
  expect(r).toEqual({ ok: true, inserts: [
    { after: 'let mut cfg', insert: '    cfg.verbose = true;', scope: 'fn build' },
    { after: 'use std::io;', insert: 'use std::fs;', scope: 'fn build' },
  ] });
  expect(parsePatternInserts('hello').ok).toBe(false);
});

test('inserts after every matching line, only inside the scope block when given', () => {
  const text = 'fn a() {\n  log();\n}\nfn b() {\n  log();\n}\n';
  expect(applyPatternInserts(text, [{ after: 'log();', insert: '  trace();' }])).toEqual({ text: 'fn a() {\n  log();\n  trace();\n}\nfn b() {\n  log();\n  trace();\n}\n', count: 2 });
  expect(applyPatternInserts(text, [{ after: 'log();', insert: '  trace();', scope: 'fn b' }]).count).toBe(1);
});

test('update_fixtures adds the field to every literal, not the definition, once', () => {
  const text = 'struct Config {\n    a: u32,\n}\nfn t() {\n    let c = Config {\n        a: 1,\n    };\n    let d = Config {\n        a: 2,\n        b: None,\n    };\n}\n';
  const r = addFieldToStructLiterals(text, 'Config', 'b: None');
  expect(r.count).toBe(1);
  expect(r.text).toContain('let c = Config {\n        b: None,\n        a: 1,');
  expect(r.text).toContain('struct Config {\n    a: u32,\n}');
  expect(addFieldToStructLiterals(r.text, 'Config', 'b: None').count).toBe(0);
});

test('update_fixtures leaves signatures, impls and definitions alone', () => {
  const text = 'fn fast() -> Config {\n    Config {\n        a: 1,\n    }\n}\nimpl Default for Config {\n}\nlet v = vec![Config {\n    a: 2,\n}];\n';
  const r = addFieldToStructLiterals(text, 'Config', 'b: 0');
  expect(r.count).toBe(2);
  expect(r.text).toBe('fn fast() -> Config {\n    Config {\n        b: 0,\n        a: 1,\n    }\n}\nimpl Default for Config {\n}\nlet v = vec![Config {\n    b: 0,\n    a: 2,\n}];\n');
});

test('an INSERT line that only starts with a keyword (INSERT_MODE_FLAG) is inserted text', () => {
  const r = parsePatternInserts('AFTER: timeout: u32,\nINSERT:\n    retries: u32,\nINSERT_MODE_FLAG: bool,\nEND\n');
  expect(r).toEqual({ ok: true, inserts: [{ after: 'timeout: u32,', insert: '    retries: u32,\nINSERT_MODE_FLAG: bool,' }] });
});
