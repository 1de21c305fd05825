// The project's worksplit.toml as the worker reads it. What a workflow input says about limits and
// commands is not trusted (anyone who can reach the Temporal server can start a workflow): the
// activities take them from the project's own file, on the worker's disk.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Config, parseConfig } from '../core/config';
import { PAYLOAD_CEILING_BYTES } from '../core/limits';
import { readBoundedFile } from './project-fs';

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
  const text = st ? (await readBoundedFile(file, 'worksplit.toml', { maxBytes: PAYLOAD_CEILING_BYTES, setting: 'the most a configuration file may hold' })).toString('utf8') : undefined;
  const { config } = parseConfig(text, 'worksplit.toml');
  if (st) cache.set(root, { mtimeMs: st.mtimeMs, size: st.size, config });
  return config;
}
