import { Todo } from './types';

export function formatTodo(todo: Todo): string {
  const mark = todo.done ? '[x]' : '[ ]';
  const priority = todo.priority === 'normal' ? '' : ` (${todo.priority})`;
  return `#${todo.id} ${mark} ${todo.title}${priority}`;
}

export function formatList(todos: Todo[]): string {
  const byId = (a: Todo, b: Todo) => a.id - b.id;
  const open = todos.filter((t) => !t.done).sort(byId);
  const done = todos.filter((t) => t.done).sort(byId);
  return [...open, ...done].map(formatTodo).join('\n');
}
