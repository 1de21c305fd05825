// A job's file work between two model calls as one local activity: the answer's files are on
// disk before the next prompt reads them, the status mirror is written, and only the final
// status may fail the step over a status file that cannot be written.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { jobStart, jobStep } from '../../activities/job-step';
import { loadJob } from '../../activities/planning';
import { syncStatusFile } from '../../activities/status';
import { makeProject, simpleJob } from '../support/project';
import { STARTED } from '../../core/job-opening';

const limits = { maxContextLines: 1000, maxContextFiles: 10, maxPromptTokens: 30000 };

function statusOf(root: string, id: string): Record<string, unknown> | undefined {
  const entries = JSON.parse(readFileSync(path.join(root, 'jobs', '_jobstatus.json'), 'utf8')) as Array<Record<string, unknown>>;
  return entries.find((e) => e.id === id);
}

async function project() {
  const root = makeProject({ ollamaUrl: 'http://127.0.0.1:9', jobs: { a: simpleJob('a') } });
  await syncStatusFile({ root, ids: ['a'] });
  const job = await loadJob({ root, id: 'a', maxContextFiles: 10 });
  return { root, job };
}

test('writes the files first, then the status, then prepares a prompt that shows the written files', async () => {
  const { root, job } = await project();
  const generated = [{ path: 'out/a.txt', content: 'GENERATED-A\n' }];
  const r = await jobStep({
    root,
    write: { files: generated, createDirs: true },
    status: [{ id: 'a', status: 'pending_verification' }],
    prompt: { job, dependencyOutputs: [], limits, spec: { kind: 'verify', generated, edit: false }, extraContext: ['out/a.txt'] },
  });
  expect(r.written).toEqual(['out/a.txt']);
  expect(readFileSync(path.join(root, 'out', 'a.txt'), 'utf8')).toBe('GENERATED-A\n');
  expect(statusOf(root, 'a')?.status).toBe('pending_verification');
  expect(r.prepared?.contextFiles).toContain('out/a.txt');
  expect(r.prepared?.prompt.user).toContain('GENERATED-A');
});

test('a status mirror over a corrupt status file does not fail the step; the final status does', async () => {
  const { root, job } = await project();
  writeFileSync(path.join(root, 'jobs', '_jobstatus.json'), '{ not json');
  const r = await jobStep({ root, status: [{ id: 'a', status: 'pending_work' }], prompt: { job, dependencyOutputs: [], limits, spec: { kind: 'generate', outputPaths: ['out/a.txt'] } } });
  expect(r.prepared?.prompt.user).toContain('JOB a');
  writeFileSync(path.join(root, 'jobs', '_jobstatus.json'), '{ not json');
  await expect(jobStep({ root, finalStatus: { id: 'a', status: 'pass', error: null } })).rejects.toThrow(/_jobstatus\.json/);
});

test('the load step records the opening status and prepares the same first prompt the job step would', async () => {
  const { root, job } = await project();
  const open = { statusFields: STARTED, dependencyOutputs: [], limits };
  const r = await jobStart({ root, id: 'a', maxContextFiles: 10, open });
  expect(r.job).toEqual(job);
  expect(r.opened?.status).toBe('pending_work');
  expect(statusOf(root, 'a')).toMatchObject({ status: 'pending_work', ran: true });
  const stepped = await jobStep({ root, prompt: { job, dependencyOutputs: [], limits, ...r.opened!.ask! } });
  expect(r.opened?.ask?.spec).toEqual({ kind: 'generate', outputPaths: ['out/a.txt'] });
  expect(r.opened?.prepared).toEqual(stepped.prepared);
});

test('the load step of fix / fix-all only loads; a prompt it cannot prepare is left to the job step', async () => {
  const { root } = await project();
  const before = readFileSync(path.join(root, 'jobs', '_jobstatus.json'), 'utf8');
  const r = await jobStart({ root, id: 'a', maxContextFiles: 10 });
  expect(r.opened).toBeUndefined();
  expect(readFileSync(path.join(root, 'jobs', '_jobstatus.json'), 'utf8')).toBe(before);
  // Without its system prompt file no prompt can be prepared: the step reports it, the load step does not.
  rmSync(path.join(root, 'jobs', '_systemprompt_create.md'));
  const t = await jobStart({ root, id: 'a', maxContextFiles: 10, open: { statusFields: STARTED, dependencyOutputs: [], limits } });
  expect(t.opened).toMatchObject({ status: 'pending_work', ask: { spec: { kind: 'generate' } } });
  expect(t.opened?.prepared).toBeUndefined();
  await expect(jobStep({ root, prompt: { job: t.job, dependencyOutputs: [], limits, ...t.opened!.ask! } })).rejects.toThrow(/_systemprompt_create\.md is missing/);
});

test('an invalid job file fails the load step with InvalidJob and records nothing', async () => {
  const { root } = await project();
  writeFileSync(path.join(root, 'jobs', 'a.md'), '---\noutput_dir: 3\n---\n');
  const before = readFileSync(path.join(root, 'jobs', '_jobstatus.json'), 'utf8');
  await expect(jobStart({ root, id: 'a', maxContextFiles: 10, open: { statusFields: STARTED, dependencyOutputs: [], limits } })).rejects.toMatchObject({ type: 'InvalidJob' });
  expect(readFileSync(path.join(root, 'jobs', '_jobstatus.json'), 'utf8')).toBe(before);
});
