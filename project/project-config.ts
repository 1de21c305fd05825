// The project's worksplit.toml as the worker reads it. What a workflow input says about limits and
// commands is not trusted (anyone who can reach the Temporal server can start a workflow): the
// activities take them from the project's own file, on the worker's disk.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Config, parseConfig } from '../core/config';
import { PAYLOAD_CEILING_BYTES } from '../core/limits';
import { MissingFileError, readBoundedFile } from './project-fs';

const cache = new Map<string, { mtimeMs: number; size: number; config: Config }>();

/** Parsed worksplit.toml of `root` (defaults when there is none); ConfigError when invalid.
 * Read again only when the file changed, so a batch of thousands of jobs parses it once. */
export async function projectConfig(root: string): Promise<Config> {
  const file = path.join(root, 'worksplit.toml');
  const st = await fs.stat(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  const hit = cache.get(root);
  if (st && hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.config;
  const text = st ? await readConfigText(file) : undefined;
  const { config } = parseConfig(text, 'worksplit.toml');
  if (st) cache.set(root, { mtimeMs: st.mtimeMs, size: st.size, config });
  return config;
}

/** The text of worksplit.toml at `file`, undefined when there is none. Opened non-blocking and
 * only if it is a regular file (a FIFO would wait for a writer forever), with a cap: a folder, pipe,
 * device or oversized file is refused with worksplit.toml named (ProjectFileError,
 * LimitExceededError). The CLI and the worker read it the same way. */
export async function readConfigText(file: string): Promise<string | undefined> {
  try {
    return (await readBoundedFile(file, 'worksplit.toml', { maxBytes: PAYLOAD_CEILING_BYTES, setting: 'the most a configuration file may hold' })).toString('utf8');
  } catch (e) {
    if (e instanceof MissingFileError) return undefined;
    throw e;
  }
}
