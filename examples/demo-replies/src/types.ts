export type Priority = 'low' | 'normal' | 'high';

export interface Todo {
  id: number;
  title: string;
  done: boolean;
  priority: Priority;
}

export class ParseError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
    this.name = 'ParseError';
  }
}
