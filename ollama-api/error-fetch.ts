// The fetch the Ollama client is given. The client prints "Getting text from response" to stdout
// (console.log) whenever an error response is not JSON, such as the plain "404 page not found"
// of a URL that is not an Ollama; answering such errors as Ollama-style JSON keeps that line out
// of our output while the error text reaches the message unchanged.
export function quietErrorFetch(inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init);
    if (res.ok || res.headers.get('content-type')?.includes('application/json')) return res;
    const text = (await res.text().catch(() => '')).trim();
    const error = text || `HTTP ${res.status} ${res.statusText}`.trim();
    return new Response(JSON.stringify({ error }), { status: res.status, statusText: res.statusText, headers: { 'content-type': 'application/json' } });
  };
}
