// Makes one folder behave like a disk with a few bytes left, without root or a tmpfs: a write
// that does not fit is short (as the kernel does on a nearly full disk), the next one fails with
// ENOSPC. Covers the callback fs.write (what write-file-atomic used) and FileHandle.write
// (fs.promises). Use it in-process with limitDisk(), or as a preload of a CLI process:
// `node --require full-disk.js` with FULL_DISK_DIR and FULL_DISK_FREE set.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

// One state per process, even when a test runner loads this file more than once (kept on the
// fs module itself: jest clears globals set by one test file before the next).
const KEY = Symbol.for('worksplit.test.fullDisk');
const state = (fs[KEY] ??= { dir: undefined, free: 0, watched: new Set(), patched: false });

/** From now on, `folder` has `bytes` left (in this process); undefined lifts the limit. */
function limitDisk(folder, bytes) {
  state.dir = folder === undefined ? undefined : fs.realpathSync(folder);
  state.free = bytes ?? 0;
}
module.exports = { limitDisk };

// Linux writes go through a held-open folder (/proc/self/fd/N/name, project/project-fs.ts): the
// folder is where that descriptor points.
const inDir = (file) => {
  if (state.dir === undefined || typeof file !== 'string') return false;
  let p = path.resolve(file);
  const held = /^\/proc\/self\/fd\/(\d+)(\/.*)?$/.exec(p);
  if (held) {
    try {
      p = fs.readlinkSync(`/proc/self/fd/${held[1]}`) + (held[2] ?? '');
    } catch {
      return false;
    }
  }
  return p.startsWith(state.dir + path.sep);
};
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });

/** How many of `n` bytes fit; throws ENOSPC when none do. */
function take(n) {
  if (n > 0 && state.free <= 0) throw enospc();
  const k = Math.min(n, state.free);
  state.free -= k;
  return k;
}

if (!state.patched) {
  state.patched = true;
  const open = fs.open;
  fs.open = function (file, ...rest) {
    const cb = rest.pop();
    open.call(fs, file, ...rest, (err, fd) => {
      if (!err && inDir(file)) state.watched.add(fd);
      cb(err, fd);
    });
  };

  const write = fs.write;
  fs.write = function (fd, data, ...rest) {
    const cb = rest.pop();
    if (!state.watched.has(fd)) return write.call(fs, fd, data, ...rest, cb);
    let buf;
    let position = null;
    if (typeof data === 'string') {
      buf = Buffer.from(data, typeof rest[1] === 'string' ? rest[1] : 'utf8');
      position = typeof rest[0] === 'number' ? rest[0] : null;
    } else {
      const [offset = 0, length = data.length - offset, pos = null] = rest;
      buf = Buffer.from(data.buffer, data.byteOffset + offset, length);
      position = pos;
    }
    let n;
    try {
      n = take(buf.length);
    } catch (e) {
      return process.nextTick(cb, e);
    }
    write.call(fs, fd, buf, 0, n, position, (err, written) => cb(err, written, data));
  };

  const close = fs.close;
  fs.close = function (fd, ...rest) {
    state.watched.delete(fd);
    return close.call(fs, fd, ...rest);
  };

  const openPromise = fs.promises.open;
  fs.promises.open = async function (file, ...rest) {
    const handle = await openPromise.call(fs.promises, file, ...rest);
    if (!inDir(file)) return handle;
    const realWrite = handle.write.bind(handle);
    handle.write = async (data, offset = 0, length, position) => {
      const buf = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset + offset, length ?? data.length - offset);
      return realWrite(buf, 0, take(buf.length), position);
    };
    return handle;
  };
}

if (process.env.FULL_DISK_DIR) limitDisk(process.env.FULL_DISK_DIR, Number(process.env.FULL_DISK_FREE ?? 0));
