// The typed field reader behind worksplit.toml and job front matter (core/fields.ts).
import { booleanField, describeValue, listField, mappingField, numberField, objectField, oneOfField, readFields, stringField } from '../../core/fields';
import { parseConfig } from '../../core/config';

const job = objectField({
  mode: oneOfField(['replace', 'edit']).default('replace'),
  files: listField(stringField()).default([]),
  name: stringField({ missing: 'is required (a name)' }),
  note: stringField().optional(),
  size: numberField({ integer: true, min: 1, max: 10 }).default(3),
  on: booleanField().default(true),
  extra: mappingField().optional(),
  inner: objectField({ depth: numberField({ above: 0 }).default(1) }),
});

test('defaults fill what is left out; optional fields stay absent; unknown keys are dropped and named', () => {
  const { value, issues } = readFields(job, { name: 'a', other: 1 });
  expect(issues).toEqual([]);
  expect(value).toEqual({ mode: 'replace', files: [], name: 'a', size: 3, on: true, inner: { depth: 1 } });
  expect('note' in value).toBe(false);
  expect(job.unknownKeys({ name: 'a', other: 1 })).toEqual(['other']);
});

test('a default is a fresh copy each time, so two results never share it', () => {
  const a = readFields(job, { name: 'a' }).value;
  a.files.push('x');
  expect(readFields(job, { name: 'b' }).value.files).toEqual([]);
});

test('every problem is reported with the field as the user writes it and what was found', () => {
  const { issues } = readFields(job, { mode: 'create', files: ['ok', 7], size: 2.5, on: 'yes', extra: [1], inner: { depth: 0 } });
  expect(issues).toEqual([
    { path: 'mode', message: 'must be one of replace, edit', kind: 'value' },
    { path: 'files[1]', message: 'must be a string, got number 7', kind: 'type' },
    { path: 'name', message: 'is required (a name)', kind: 'missing' },
    { path: 'size', message: 'must be a whole number, got 2.5', kind: 'value' },
    { path: 'on', message: 'must be a boolean (true or false), got string "yes"', kind: 'type' },
    { path: 'extra', message: 'must be a mapping, got a list of 1', kind: 'type' },
    { path: 'inner.depth', message: 'must be more than 0', kind: 'value' },
  ]);
});

test('a YAML null list is empty; a null or missing mapping takes its defaults; a scalar is not a mapping', () => {
  expect(readFields(job, { name: 'a', files: null, inner: null }).value).toMatchObject({ files: [], inner: { depth: 1 } });
  expect(readFields(job, { name: 'a', inner: 5 }).issues).toEqual([{ path: 'inner', message: 'must be a mapping, got number 5', kind: 'type' }]);
});

test('numbers: NaN and infinities are refused, bounds are inclusive', () => {
  const n = objectField({ x: numberField({ min: 1, max: 10 }) });
  expect(readFields(n, { x: Number.NaN }).issues[0].message).toBe('must be a number, got nan (not a number)');
  expect(readFields(n, { x: Infinity }).issues[0].message).toBe('must be a finite number');
  expect(readFields(n, { x: 0 }).issues[0].message).toBe('must be at least 1');
  expect(readFields(n, { x: 11 }).issues[0].message).toBe('must be at most 10');
  expect(readFields(n, { x: 1 }).issues).toEqual([]);
  expect(readFields(n, { x: 10 }).issues).toEqual([]);
});

test('worksplit.toml errors say what was wrong and what was found', () => {
  expect(() => parseConfig('[batch]\nmax_concurrent = "four"\n')).toThrow('worksplit.toml: batch.max_concurrent: must be a number, got string "four"');
  expect(() => parseConfig('[batch]\nmax_concurrent = inf\n')).toThrow('worksplit.toml: batch.max_concurrent: must be a finite number');
  expect(() => parseConfig('batch = 3\n')).toThrow('worksplit.toml: batch: must be a table, got number 3');
  expect(() => parseConfig('[ollama]\noptions = 1\n')).toThrow('worksplit.toml: ollama.options: must be a table of model options, got number 1');
  expect(() => parseConfig('[ollama]\nmodel = ""\n')).toThrow('worksplit.toml: ollama.model: must not be empty');
  expect(parseConfig('[ollama]\noptions = { temperature = 0.2 }\n').config.ollama.options).toEqual({ temperature: 0.2 });
});

test('NaN and binary data are described as what they are', () => {
  expect(describeValue(NaN)).toBe('nan (not a number)');
  expect(describeValue(new Uint8Array([1, 2, 3]))).toBe('binary data (!!binary)');
});
