// Written names under the Unicode rules (issue 24, item 4): names that are one file on a disk that
// folds case or normalization are one file written twice; code points a file system may ignore are
// refused in written names; every name in a message is shown escaped.
import { type NameRules, assertWritablePath, collidingPaths, protectedReason, sameFileKey, showPath } from '../../core/paths';
import { printable, reasonLine } from '../../core/printable';

const NFC = 'src/caf\u00e9.ts';
const NFD = 'src/cafe\u0301.ts';

test('names that differ only in letter case, NFC/NFD or NFKC form, or trailing dots are one file', () => {
  expect(collidingPaths(['src/p16.ts', 'SRC/P16.TS'])).toEqual(['src/p16.ts', 'SRC/P16.TS']);
  expect(collidingPaths([NFC, NFD])).toEqual([NFC, NFD]);
  expect(collidingPaths(['src/\ufb01le.ts', 'src/file.ts'])).toEqual(['src/\ufb01le.ts', 'src/file.ts']); // the "fi" ligature, NFKC
  expect(collidingPaths(['src/stra\u00dfe.ts', 'src/STRASSE.ts'])).toBeDefined(); // full case fold
  expect(collidingPaths(['src/a.ts', 'src/a.ts.'])).toEqual(['src/a.ts', 'src/a.ts.']); // Windows drops the dot
  expect(collidingPaths(['src/\u212aelvin.ts', 'src/kelvin.ts'])).toBeDefined(); // the Kelvin sign
  expect(sameFileKey('./SRC//Caf\u00c9.ts')).toBe(sameFileKey(NFD));
});

test('different files, and the same spelling twice, are no collision', () => {
  expect(collidingPaths(['src/a.ts', 'src/b.ts', 'src/a/b.ts', 'src/caf\u00e8.ts', NFC])).toBeUndefined();
  // The same name twice is the answer parser's to refuse ("writes src/a.ts twice").
  expect(collidingPaths(['src/a.ts', './src//a.ts'])).toBeUndefined();
});

const HOSTILE = ['.g\u206Ait/config', 'sub/.git\u034f/hooks/x', 'src/a\u200bb.ts', 'src/\u2064x.ts', 'src/x\ufe0f.ts', 'src/tag\u{E0041}.ts', 'src/\u115fx.ts', 'src/x\u3164.ts', 'src/\u180ex.ts'];

test.each(HOSTILE)('%j: a default-ignorable code point is refused in a written name, the rule named and the name escaped', (p) => {
  let message = '';
  try {
    assertWritablePath(p);
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toMatch(/rule: /);
  // Nothing invisible in the message: every such code point is an escape.
  expect(message).not.toMatch(/\p{Default_Ignorable_Code_Point}/u);
  expect(message).toMatch(/\\u/);
});

test('the two names from the probe are refused as the rule says, and shown escaped', () => {
  expect(() => assertWritablePath('.g\u206Ait/config')).toThrow('".g\\u206ait/config" contains \\u206a, an invisible character a file system may ignore (rule: no default-ignorable characters in written names');
  expect(() => assertWritablePath('sub/.git\u034f/hooks/x')).toThrow('"sub/.git\\u034f/hooks/x" contains \\u034f');
});

test('names with ordinary letters, accents and emoji without a variation selector stay writable', () => {
  for (const p of [NFC, NFD, 'src/日本語.ts', 'docs/\u{1F600}.md', 'src/\u00c5ngstr\u00f6m.ts']) expect(assertWritablePath(p)).toBe(p);
});

test('the Unicode rules are asked about only the names they alone refuse; "no" (a job replaying from before them) keeps the earlier rules', () => {
  const asked: Array<string | undefined> = [];
  const before: NameRules = (since) => (asked.push(since), since !== 'unicode-names');
  // Allowed by every rule: nobody asked.
  expect(assertWritablePath('src/a.ts', before)).toBe('src/a.ts');
  // Refused by the earlier rules (a zero-width joiner next to .git folds to .git): not asked.
  expect(() => assertWritablePath('.g\u200cit/config', before)).toThrow(/inside \.git/);
  expect(asked).toEqual([]);
  // Refused by these rules alone: asked, and "no" lets the job write it as it did.
  expect(assertWritablePath('.g\u206Ait/config', before)).toBe('.g\u206Ait/config');
  expect(asked).toEqual(['unicode-names']);
  // A job from before the rules of 2026-11-27 is asked about those only.
  asked.length = 0;
  const older: NameRules = (since) => (asked.push(since), false);
  expect(assertWritablePath('notes/v1:dr\u034faft.md', older)).toBe('notes/v1:dr\u034faft.md');
  expect(asked).toEqual([undefined]);
  expect(protectedReason('src/a\u034fb.ts')).toMatch(/rule: no default-ignorable characters/);
});

test('names in messages are escaped: every default-ignorable code point, separators, astral tags', () => {
  expect(printable('.g\u206Ait/config')).toBe('.g\\u206ait/config');
  expect(printable('sub/.git\u034f/hooks/x')).toBe('sub/.git\\u034f/hooks/x');
  expect(printable('a\u{E0041}b\u2028c\ufe0fd\u115f')).toBe('a\\u{e0041}b\\u2028c\\ufe0fd\\u115f');
  expect(printable('caf\u00e9 \u65e5\u672c')).toBe('caf\u00e9 \u65e5\u672c');
  expect(reasonLine('the model wrote .g\u206Ait/config')).toBe('the model wrote .g\\u206ait/config');
  expect(showPath('x\u034f\u0085')).toBe('"x\\u034f\\u0085"');
});
