// Writes on a full disk (issue 17, item 2): every file the tool writes is written completely or
// not at all; a full disk is a clear, final failure naming the file, and nothing hangs. The
// "disk" is a folder with a byte budget (test/support/full-disk.js): no root, no tmpfs.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { AtomicFs, DiskFullError, nodeFs, writeFileAtomic } from '../../project/atomic-write';
import { writeOutputs } from '../../activities/outputs';
import { formatStatusFile, StatusEntry } from '../../core/status';
import { runBatch } from '../support/harness';
import { runCli } from '../support/processes';
import { makeProject, simpleJob } from '../support/project';
import { block } from '../support/replies';
import { useServers } from '../support/servers';
const { limitDisk } = require('../support/full-disk.js') as { limitDisk: (dir: string | undefined, bytes?: number) => void };

const FULL_DISK = path.join(__dirname, '..', 'support', 'full-disk.js');
const t = useServers();

function tmpDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'ws-disk-'));
}

/** A file system whose writes go through `write` instead of the real FileHandle.write. */
function fsWithWrite(write: (real: FileHandle['write'], data: Uint8Array, offset: number, length: number) => Promise<{ bytesWritten: number }>): AtomicFs {
  return {
    ...nodeFs,
    open: async (file, flags, mode) => {
      const h = await nodeFs.open(file, flags, mode);
      const real = h.write.bind(h) as FileHandle['write'];
      (h as { write: unknown }).write = (data: Uint8Array, offset = 0, length = data.length - offset) => write(real, data, offset, length);
      return h;
    },
  };
}

describe('the atomic writer', () => {
  test('short writes: it keeps writing until every byte is down', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'out.txt');
    const content = 'line\n'.repeat(20_000);
    // The kernel may write fewer bytes than asked; here at most 1,000 at a time.
    const short = fsWithWrite((real, data, offset, length) => real(data, offset, Math.min(length, 1000)) as Promise<{ bytesWritten: number }>);
    await writeFileAtomic(file, content, { fs: short });
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(readdirSync(dir)).toEqual(['out.txt']);
  });

  test.each(['ENOSPC', 'EDQUOT', 'EROFS'])('%s half-way: DiskFullError naming the file, the old content kept, no temp file left', async (code) => {
    const dir = tmpDir();
    const file = path.join(dir, 'status.json');
    writeFileSync(file, 'old content\n');
    let calls = 0;
    const full = fsWithWrite(async (real, data, offset, length) => {
      if (calls++ === 0) return real(data, offset, Math.min(length, 100)) as Promise<{ bytesWritten: number }>;
      throw Object.assign(new Error(`${code}: write`), { code });
    });
    const err = await writeFileAtomic(file, 'x'.repeat(10_000), { fs: full, displayName: 'jobs/_jobstatus.json' }).catch((e) => e);
    expect(err).toBeInstanceOf(DiskFullError);
    expect(err.message).toContain('jobs/_jobstatus.json');
    expect(err.message).toContain(code);
    expect(readFileSync(file, 'utf8')).toBe('old content\n');
    expect(readdirSync(dir)).toEqual(['status.json']);
  });

  test('a write that makes no progress fails instead of looping forever', async () => {
    const dir = tmpDir();
    const stuck = fsWithWrite(async () => ({ bytesWritten: 0 }));
    await expect(writeFileAtomic(path.join(dir, 'a.txt'), 'abc', { fs: stuck })).rejects.toBeInstanceOf(DiskFullError);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('an existing file keeps its permissions', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'run.sh');
    writeFileSync(file, 'old', { mode: 0o751 });
    await writeFileAtomic(file, 'new');
    expect((await nodeFs.stat(file)).mode & 0o777).toBe(0o751);
  });
});

describe('a full disk', () => {
  afterEach(() => limitDisk(undefined));

  test('writeOutputs: a torn output is never committed; the failure is final (DiskFull) and names the file', async () => {
    const root = tmpDir();
    mkdirSync(path.join(root, 'out'));
    writeFileSync(path.join(root, 'out', 'big.txt'), 'previous\n');
    limitDisk(root, 49_152);
    const content = 'a line of generated code\n'.repeat(4_500); // 112 kB
    const err = await writeOutputs({ root, files: [{ path: 'out/big.txt', content }], createDirs: true }).catch((e) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err.type).toBe('DiskFull');
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toContain('out/big.txt');
    expect(readFileSync(path.join(root, 'out', 'big.txt'), 'utf8')).toBe('previous\n');
    expect(readdirSync(path.join(root, 'out'))).toEqual(['big.txt']);
  });

  test('reset all with no space left: reports the failure, exits non-zero, the status file is intact', async () => {
    const root = tmpDir();
    mkdirSync(path.join(root, 'jobs'));
    writeFileSync(path.join(root, 'worksplit.toml'), '');
    const ids = Array.from({ length: 2000 }, (_, i) => `job${String(i).padStart(4, '0')}`);
    for (const id of ids) writeFileSync(path.join(root, 'jobs', `${id}.md`), '---\noutput_dir: out\noutput_file: x.txt\n---\nx\n');
    const at = '2026-01-01T00:00:00.000Z';
    const entries: StatusEntry[] = ids.map((id) => ({ id, status: 'pass', ran: true, error: null, partial_state: null, created_at: at, updated_at: at }));
    const before = formatStatusFile(entries);
    writeFileSync(path.join(root, 'jobs', '_jobstatus.json'), before);

    const r = await runCli(['--path', root, 'reset', 'all'], { NODE_OPTIONS: `--require ${FULL_DISK}`, FULL_DISK_DIR: root, FULL_DISK_FREE: String(Math.floor(before.length / 2)) });
    expect(r.output).toContain('jobs/_jobstatus.json');
    expect(r.output).toMatch(/no space left/i);
    expect(r.output).not.toMatch(/Reset 2000 jobs/);
    expect(r.code).not.toBe(0);
    expect(readFileSync(path.join(root, 'jobs', '_jobstatus.json'), 'utf8')).toBe(before);
  }, 60_000);

  test('init with no space left names the file and leaves no half-written worksplit.toml', async () => {
    const root = tmpDir();
    const r = await runCli(['--path', root, 'init', '--lang', 'typescript', '--model', 'm'], { NODE_OPTIONS: `--require ${FULL_DISK}`, FULL_DISK_DIR: root, FULL_DISK_FREE: '100' });
    // worksplit.toml is the first file init writes; 100 bytes do not hold it.
    expect(r.output).toContain('error: worksplit.toml could not be written: no space left on the device (ENOSPC)');
    expect(r.code).not.toBe(0);
    expect(readdirSync(root)).toEqual([]);
  }, 60_000);

  test('a batch whose output does not fit ends (no hang) with the file named; no torn output is left', async () => {
    const root = makeProject({ ollamaUrl: t.ollama.url, jobs: { big: simpleJob('big', { verify: false }) } });
    t.ollama.respond = () => ({ content: block('out/big.txt', `${'x'.repeat(139)}\n`.repeat(800)), chunks: 20 });
    // Room for the status file's writes, not for the 112 kB output.
    limitDisk(root, 30_000);
    const outcome = await runBatch(t.h, root).then((r) => r.jobs.big.reason ?? '', (e: Error) => `${e.message} ${String((e as { cause?: Error }).cause?.message)}`);
    expect(outcome).toMatch(/(out\/big\.txt|jobs\/_jobstatus\.json) could not be written: no space left on the device/);
    expect(readdirSync(path.join(root, 'out'))).toEqual([]);
  }, 120_000);
});
