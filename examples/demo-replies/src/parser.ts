import { ParseError, Priority, Todo } from './types';

const LINE = /^\[( |x)\]\s+(.*?)(?:\s+!(low|normal|high))?\s*$/;

export function parseTodos(text: string): Todo[] {
  const todos: Todo[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const m = LINE.exec(line);
    if (!m) throw new ParseError(`expected "[ ] title" or "[x] title", got "${line}"`, index + 1);
    todos.push({ id: todos.length + 1, title: m[2], done: m[1] === 'x', priority: (m[3] as Priority | undefined) ?? 'normal' });
  });
  return todos;
}
