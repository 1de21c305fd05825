// A job's file work between two model calls as one local activity: the answer's files are on
// disk before the next prompt reads them, the status mirror is written, and only the final
// status may fail the step over a status file that cannot be written.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { jobStep } from '../../activities/job-step';
import { loadJob } from '../../activities/planning';
import { syncStatusFile } from '../../activities/status';
import { makeProject, simpleJob } from '../support/project';

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
