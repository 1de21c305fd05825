// Size limits that keep large texts out of workflow history. Temporal refuses any payload over
// 2 MB and then fails the workflow task forever; every file and model answer that reaches
// history is checked against these first. Pure: used by config, activities and the CLI.

/** The README's promise: up to 500 jobs at once (0 = unlimited). */
export const MAX_CONCURRENT = 500;

/** Default of [limits] max_file_bytes: a job file, context file or model answer. */
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024;
/** The highest max_file_bytes may be set: a prompt holds several such files. */
export const MAX_FILE_BYTES_CEILING = 512 * 1024;
/** What any one activity may hand to the workflow (a prompt with its files, a model answer). */
export const PAYLOAD_CEILING_BYTES = 1024 * 1024;

/** "256 kB", "50.0 MB": for error messages. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} kB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** The cap to apply: the configured one, never above the ceiling (inputs may come from old
 * workflow histories without it, or from a client that set something absurd). */
export function fileByteCap(configured: number | undefined): number {
  return Math.min(configured ?? DEFAULT_MAX_FILE_BYTES, MAX_FILE_BYTES_CEILING);
}
