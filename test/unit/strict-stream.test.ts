// The stream from Ollama is read strictly: every line a JSON object, or the call fails.
import { NotJsonLineError, strictStreamFetch } from '../../ollama-api/strict-stream';

function respondWith(chunks: Uint8Array[]): typeof fetch {
  return async () =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(c) {
          for (const x of chunks) c.enqueue(x);
          c.close();
        },
      }),
      { status: 200, headers: { 'content-type': 'application/x-ndjson' } },
    );
}

async function read(chunks: Uint8Array[]): Promise<{ text: string; chunks: number }> {
  const res = await strictStreamFetch(respondWith(chunks), 'http://127.0.0.1:1')('http://127.0.0.1:1/api/chat', { method: 'POST', body: '{"stream":true}' });
  const reader = res.body!.getReader();
  let text = '';
  let n = 0;
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: text + decoder.decode(), chunks: n };
    n++;
    text += decoder.decode(value, { stream: true });
  }
}

const enc = (s: string) => new TextEncoder().encode(s);

test('JSON object lines pass whole, also split anywhere, UTF-8 included; the last line needs no newline', async () => {
  const body = enc('{"message":{"content":"é€😀"}}\r\n{"done":true}');
  const oneByOne = Array.from(body, (b) => Uint8Array.of(b));
  expect((await read(oneByOne)).text).toBe('{"message":{"content":"é€😀"}}\r\n{"done":true}\n');
});

test.each(['\u001b]0;owned\u0007not json', '42', 'null', '"text"', '[]'])('a line that is not a JSON object (%j) fails the stream, escaped in the message', async (line) => {
  const err = await read([enc(`{"a":1}\n${line}\n{"done":true}\n`)]).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(NotJsonLineError);
  expect((err as Error).message).not.toContain('\u001b');
  expect((err as Error).message).toMatch(/not a JSON object/);
});

test('the lines of one chunk go on as one chunk (the client re-splits its buffer per chunk)', async () => {
  const many = Array.from({ length: 40_000 }, (_, i) => `{"i":${i}}`).join('\n') + '\n';
  const r = await read([enc(many)]);
  expect(r.chunks).toBe(1);
  expect(r.text).toBe(many);
});
