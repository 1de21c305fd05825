// Counting a text's lines the way max_context_lines and max_output_lines mean them: a final
// newline ends the last line, it does not start another.
export function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}
