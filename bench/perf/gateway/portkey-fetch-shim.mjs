// Preloaded into the Portkey process by the benchmark (node --import). @portkey-ai/gateway 1.15.2
// answers every streamed call with a 500 on Node 20 here: its bundled @hono/node-server 1.19
// Response keeps the upstream fetch() Response's immutable Headers, to which Portkey then appends
// its own headers ("TypeError: immutable"). This returns fetch() responses with a mutable copy of
// their headers; it costs Portkey one Headers copy per call and changes nothing else.
const NativeResponse = globalThis.Response;
const nativeFetch = globalThis.fetch;
globalThis.fetch = async (...args) => {
  const r = await nativeFetch(...args);
  return new NativeResponse(r.body, { status: r.status, statusText: r.statusText, headers: new Headers(r.headers) });
};
