import { applyUpdate, formatStatusFile, parseStatusFile, selectJobs, summaryLine, syncEntries, StatusEntry } from '../../core/status';

const t0 = '2026-01-01T00:00:00Z';
const e = (id: string, status: StatusEntry['status'], extra: Partial<StatusEntry> = {}): StatusEntry => ({ id, status, created_at: t0, updated_at: t0, ...extra });

test('a status file written by WorkSplit (Rust) loads, and round-trips in the same schema', () => {
  const rust = `[
  {"id":"a","status":"pass","created_at":"${t0}","updated_at":"${t0}","ran":true},
  {"id":"b","status":"partial","created_at":"${t0}","updated_at":"${t0}","error":"1 edit failed","partial_state":{"successful_edits":["src/x.rs"],"failed_edits":[{"file":"src/y.rs","find_preview":"fn y","reason":"not found","suggested_line":12}]},"ran":true}
]`;
  const entries = parseStatusFile(rust);
  expect(entries[1].partial_state?.failed_edits[0].suggested_line).toBe(12);
  expect(JSON.parse(formatStatusFile(entries))).toEqual(JSON.parse(rust));
});

test('parseStatusFile rejects what is not the schema, saying where', () => {
  expect(() => parseStatusFile('{}')).toThrow(/JSON array/);
  expect(() => parseStatusFile('[{"id":"a","status":"done"}]')).toThrow(/entry 0 \(a\): unknown status "done"/);
  expect(() => parseStatusFile('[1')).toThrow();
});

test('sync adds new jobs as created and drops deleted ones', () => {
  const r = syncEntries([e('a', 'pass'), e('gone', 'fail')], ['a', 'new'], 'now');
  expect(r.added).toEqual(['new']);
  expect(r.removed).toEqual(['gone']);
  expect(r.entries.map((x) => [x.id, x.status])).toEqual([['a', 'pass'], ['new', 'created']]);
});

test('updates set status, clear or set errors, and stay sorted', () => {
  let entries = [e('b', 'created')];
  entries = applyUpdate(entries, { id: 'a', status: 'fail', error: 'boom', ran: true }, 'later');
  expect(entries.map((x) => x.id)).toEqual(['a', 'b']);
  expect(entries[0]).toMatchObject({ status: 'fail', error: 'boom', ran: true, updated_at: 'later' });
  entries = applyUpdate(entries, { id: 'a', status: 'pass', error: null }, 'later2');
  expect(entries[0].error).toBeUndefined();
});

test('the files a job wrote are kept as written_files until a new run clears them', () => {
  let entries = applyUpdate([], { id: 'm', status: 'pass', writtenFiles: ['src/models/user.ts', 'src/models/mod.ts'] }, 't1');
  expect(entries[0].written_files).toEqual(['src/models/user.ts', 'src/models/mod.ts']);
  entries = applyUpdate(entries, { id: 'm', status: 'pending_verification' }, 't2');
  expect(entries[0].written_files).toEqual(['src/models/user.ts', 'src/models/mod.ts']);
  entries = applyUpdate(entries, { id: 'm', status: 'pending_work', writtenFiles: null }, 't3');
  expect(entries[0]).not.toHaveProperty('written_files');
  expect(parseStatusFile(formatStatusFile(applyUpdate(entries, { id: 'm', status: 'pass', writtenFiles: ['a.ts'] }, 't4')))[0].written_files).toEqual(['a.ts']);
});

test('selection: created and not ran; --rerun adds ran ones; --resume adds stuck ones; --job picks one', () => {
  const entries = [e('a', 'created'), e('b', 'created', { ran: true }), e('c', 'pending_work'), e('d', 'pass'), e('p', 'partial')];
  expect(selectJobs(entries, { resume: false, rerun: false })).toEqual({ selected: ['a'], stuck: ['c', 'p'] });
  expect(selectJobs(entries, { resume: false, rerun: true }).selected).toEqual(['a', 'b']);
  expect(selectJobs(entries, { resume: true, rerun: false }).selected).toEqual(['a', 'c', 'p']);
  expect(selectJobs(entries, { resume: false, rerun: false, only: 'd' }).selected).toEqual(['d']);
});

test('summary line', () => {
  expect(summaryLine([e('a', 'pass'), e('b', 'fail'), e('c', 'created'), e('d', 'pending_work')])).toBe('1 passed, 1 failed, 2 pending');
});
