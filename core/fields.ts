// Typed reading of the two hand-written inputs (worksplit.toml and a job's front matter): each
// field reads an unknown value and returns it typed with its default, or records an issue naming
// the field. Small on purpose: every command parses one of these inputs, and a general validation
// library was the largest part of a read-only command's start (zod: ~45 ms of ~170).
// Pure.

export interface FieldIssue {
  /** The field as the user writes it: `batch.max_concurrent`, `context_files[1]`. */
  path: string;
  message: string;
  /** missing: no value and no default; type: the wrong kind of value; value: out of range. */
  kind: 'missing' | 'type' | 'value';
}

export interface Field<T> {
  /** The value, or a placeholder after recording an issue (the caller checks `issues`). */
  read(value: unknown, path: string, issues: FieldIssue[]): T;
}

/** A field that may be left out; objects give it an optional key. */
export interface OptionalField<T> extends Field<T | undefined> {
  readonly isOptional: true;
}

export type FieldValue<F> = F extends Field<infer T> ? T : never;
export type Shape = Record<string, Field<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalField<unknown> ? K : never }[keyof S];
type Flatten<T> = { [K in keyof T]: T[K] };
export type ShapeValue<S extends Shape> = Flatten<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: FieldValue<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<FieldValue<S[K]>, undefined> }
>;

/** A field builder: `.optional()` and `.default(v)` wrap it. */
export class FieldSpec<T> implements Field<T> {
  constructor(
    private readonly readPresent: (value: unknown, path: string, issues: FieldIssue[]) => T,
    private readonly missingMessage = 'is required',
  ) {}

  read(value: unknown, path: string, issues: FieldIssue[]): T {
    if (value === undefined) {
      issues.push({ path, message: this.missingMessage, kind: 'missing' });
      return undefined as T;
    }
    return this.readPresent(value, path, issues);
  }

  optional(): OptionalField<T> {
    return { isOptional: true, read: (v, p, i) => (v === undefined ? undefined : this.readPresent(v, p, i)) };
  }

  /** Left out, the field takes `value` (a fresh copy, so no two results share it). */
  default(value: T): Field<T> {
    return { read: (v, p, i) => (v === undefined ? structuredClone(value) : this.readPresent(v, p, i)) };
  }
}

function typeIssue<T>(issues: FieldIssue[], path: string, expected: string, value: unknown): T {
  issues.push({ path, message: `must be ${expected}, got ${describeValue(value)}`, kind: 'type' });
  return undefined as T;
}

function valueIssue<T>(issues: FieldIssue[], path: string, message: string): T {
  issues.push({ path, message, kind: 'value' });
  return undefined as T;
}

export function stringField(opts: { nonEmpty?: boolean; missing?: string } = {}): FieldSpec<string> {
  return new FieldSpec((v, path, issues) => {
    if (typeof v !== 'string') return typeIssue(issues, path, 'a string', v);
    if (opts.nonEmpty && v === '') return valueIssue(issues, path, 'must not be empty');
    return v;
  }, opts.missing);
}

export function booleanField(): FieldSpec<boolean> {
  return new FieldSpec((v, path, issues) => (typeof v === 'boolean' ? v : typeIssue(issues, path, 'a boolean (true or false)', v)));
}

export interface NumberRules {
  integer?: boolean;
  /** Smallest allowed value; `above` excludes it instead. */
  min?: number;
  above?: number;
  max?: number;
  /** Replaces "must be at most <max>" (to say what the maximum stands for). */
  maxMessage?: string;
}

export function numberField(rules: NumberRules = {}): FieldSpec<number> {
  return new FieldSpec((v, path, issues) => {
    if (typeof v !== 'number' || Number.isNaN(v)) return typeIssue(issues, path, 'a number', v);
    if (!Number.isFinite(v)) return valueIssue(issues, path, 'must be a finite number');
    if (rules.integer && !Number.isInteger(v)) return valueIssue(issues, path, `must be a whole number, got ${v}`);
    if (rules.min !== undefined && v < rules.min) return valueIssue(issues, path, `must be at least ${rules.min}`);
    if (rules.above !== undefined && v <= rules.above) return valueIssue(issues, path, `must be more than ${rules.above}`);
    if (rules.max !== undefined && v > rules.max) return valueIssue(issues, path, rules.maxMessage ?? `must be at most ${rules.max}`);
    return v;
  });
}

export function oneOfField<const V extends string>(values: readonly V[], message = `must be one of ${values.join(', ')}`): FieldSpec<V> {
  return new FieldSpec((v, path, issues) => ((values as readonly unknown[]).includes(v) ? (v as V) : valueIssue(issues, path, message)));
}

/** A list; a YAML null (`context_files:` with nothing under it) counts as empty. */
export function listField<T>(item: Field<T>): FieldSpec<T[]> {
  return new FieldSpec((v, path, issues) => {
    if (v === null) return [];
    if (!Array.isArray(v)) return typeIssue(issues, path, 'a list', v);
    return v.map((x, i) => item.read(x, `${path}[${i}]`, issues));
  });
}

/** Any mapping, its values unchecked (passed on as they are). */
export function mappingField(noun = 'a mapping'): FieldSpec<Record<string, unknown>> {
  return new FieldSpec((v, path, issues) => (isMapping(v) ? { ...v } : typeIssue(issues, path, noun, v)));
}

/** A mapping with known fields. A missing or null one reads as empty (every field takes its
 * default); unknown keys are left out of the result (`unknownKeys` names them). */
export class ObjectField<S extends Shape> implements Field<ShapeValue<S>> {
  constructor(
    readonly shape: S,
    private readonly noun = 'a mapping',
  ) {}

  read(value: unknown, path: string, issues: FieldIssue[]): ShapeValue<S> {
    const v = value ?? {};
    if (!isMapping(v)) return typeIssue(issues, path, this.noun, v);
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(this.shape)) {
      const x = field.read(v[key], path ? `${path}.${key}` : key, issues);
      if (x !== undefined) out[key] = x;
    }
    return out as ShapeValue<S>;
  }

  unknownKeys(value: Record<string, unknown>): string[] {
    return Object.keys(value).filter((k) => !Object.hasOwn(this.shape, k));
  }
}

export function objectField<S extends Shape>(shape: S, noun?: string): ObjectField<S> {
  return new ObjectField(shape, noun);
}

/** Read a whole input; the first issue, or every issue, is the caller's to report. */
export function readFields<T>(field: Field<T>, value: unknown): { value: T; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const out = field.read(value, '', issues);
  return { value: out, issues };
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** A value in a few words; never serializes the whole value (it may be huge, or an alias bomb). */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' && Number.isNaN(v)) return 'nan (not a number)';
  if (v instanceof Uint8Array) return 'binary data (!!binary)';
  if (typeof v === 'object') return v instanceof Date ? 'a date' : 'a mapping';
  return `${typeof v} ${String(v).slice(0, 40)}`;
}
