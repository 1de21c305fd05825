import { readFileSync } from 'node:fs';
import { formatList } from './format';
import { parseTodos } from './parser';
import { ParseError } from './types';

export function main(argv: string[]): number {
  if (argv.length === 0) {
    console.log('usage: todo <file>');
    return 2;
  }
  try {
    console.log(formatList(parseTodos(readFileSync(argv[0], 'utf8'))));
    return 0;
  } catch (e) {
    if (e instanceof ParseError) {
      console.error(`line ${e.line}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
