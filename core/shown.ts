// Values from worksplit.toml and the command line as they are shown on a terminal: a URL without
// the user name and password it may hold, escape codes and other unprintable characters escaped
// (a model named "m\u001b[2J" must not clear the screen). Pure.
import { printable } from './printable';

/** A URL as shown: "http://***@host/" for one with credentials, unprintable characters escaped. */
export function shownUrl(url: string): string {
  return printable(url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@'));
}

/** A configured value (a model name, a namespace) as shown. */
export function shownValue(value: string): string {
  return printable(value);
}

/** Why `url` cannot be an Ollama server's address, or undefined when it can: http or https only
 * (file:, ftp: and the like have no Ollama API), and no credentials, which fetch refuses to send
 * (and which would then be echoed in every message naming the server). */
export function ollamaUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `${JSON.stringify(shownUrl(url))} is not a URL; write it as http://host:port (Ollama's is http://localhost:11434)`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `must be an http:// or https:// URL (Ollama's API), not ${printable(u.protocol)} (${JSON.stringify(shownUrl(url))})`;
  if (u.username !== '' || u.password !== '') return `must not hold a user name or password (${JSON.stringify(shownUrl(url))}): they would not be sent, and would be shown wherever the server is named`;
  return undefined;
}
