/**
 * What the gateway knows of the two API families it fronts: which endpoint a path is, the facts
 * of a request body that go into an exchange record (formats.md), the usage of a response, and
 * the error bodies the gateway answers with, each in the caller's own API shape
 * (OpenAI `{error:{message,type,param,code}}`, Anthropic `{type:"error",error:{type,message}}`),
 * so that an SDK raises its usual error class and a program can switch on the code.
 */

export const ENDPOINTS = ['chat.completions', 'responses', 'messages'] as const;
export type Endpoint = (typeof ENDPOINTS)[number];
export type Dialect = 'openai' | 'anthropic';

/** The endpoint a request path names (any prefix before `/v1/…` is allowed; the query is ignored). */
export function endpointOf(path: string): Endpoint | null {
  const q = path.indexOf('?');
  const p = q >= 0 ? path.slice(0, q) : path;
  if (p.endsWith('/v1/chat/completions')) return 'chat.completions';
  if (p.endsWith('/v1/responses')) return 'responses';
  if (p.endsWith('/v1/messages')) return 'messages';
  return null;
}

/** Anthropic for `/v1/messages` and for any request that carries Anthropic's headers; else OpenAI. */
export function dialectOf(endpoint: Endpoint | null, anthropicHeaders: boolean): Dialect {
  if (endpoint === 'messages') return 'anthropic';
  if (endpoint !== null) return 'openai';
  return anthropicHeaders ? 'anthropic' : 'openai';
}

/** The exchange fields a request body tells (formats.md, "exchanges"). */
export interface RequestFacts {
  model?: string;
  end_user_id?: string;
  turns?: number;
  tool_count?: number;
  reasoning?: boolean;
  max_tokens?: number;
  temperature?: number;
  system_prompt?: string;
  /** Text of the last user turn. */
  prompt?: string;
  stream: boolean;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Text of a message content: a string, or the text parts of an array of parts. */
function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const parts: string[] = [];
  for (const p of content) {
    if (typeof p === 'string') parts.push(p);
    else if (isObject(p) && typeof p.text === 'string') parts.push(p.text);
  }
  return parts.length > 0 ? parts.join('\n') : undefined;
}

function lastUserText(messages: readonly unknown[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (isObject(m) && m.role === 'user') return contentText(m.content);
  }
  return undefined;
}

function int(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Sets the defined values only (exactOptionalPropertyTypes: an absent field is not `undefined`). */
function put<K extends keyof RequestFacts>(f: RequestFacts, k: K, v: RequestFacts[K] | undefined): void {
  if (v !== undefined) f[k] = v;
}

/**
 * The facts of a request body. Never throws: a body that is not the expected JSON yields
 * `{ stream: false }` and whatever fields could be read.
 */
export function requestFacts(endpoint: Endpoint, body: unknown): RequestFacts {
  const f: RequestFacts = { stream: false };
  if (!isObject(body)) return f;
  f.stream = body.stream === true;
  put(f, 'model', str(body.model));
  put(f, 'temperature', num(body.temperature));
  if (Array.isArray(body.tools)) f.tool_count = body.tools.length;
  switch (endpoint) {
    case 'chat.completions': {
      const messages = Array.isArray(body.messages) ? body.messages : [];
      if (messages.length > 0) f.turns = messages.length;
      put(f, 'prompt', lastUserText(messages));
      const system = messages
        .filter((m): m is Json => isObject(m) && (m.role === 'system' || m.role === 'developer'))
        .map((m) => contentText(m.content))
        .filter((t): t is string => t !== undefined);
      if (system.length > 0) f.system_prompt = system.join('\n');
      put(f, 'end_user_id', str(body.user) ?? str(body.safety_identifier));
      put(f, 'max_tokens', int(body.max_completion_tokens) ?? int(body.max_tokens));
      const effort = body.reasoning_effort ?? (isObject(body.reasoning) ? body.reasoning.effort : undefined);
      if (effort !== undefined) f.reasoning = effort !== 'none' && effort !== null;
      break;
    }
    case 'responses': {
      const input = body.input;
      if (typeof input === 'string') {
        f.turns = 1;
        f.prompt = input;
      } else if (Array.isArray(input)) {
        const turns = input.filter((m) => isObject(m) && typeof m.role === 'string');
        if (turns.length > 0) f.turns = turns.length;
        put(f, 'prompt', lastUserText(input));
      }
      put(f, 'system_prompt', str(body.instructions));
      put(f, 'end_user_id', str(body.user) ?? str(body.safety_identifier));
      put(f, 'max_tokens', int(body.max_output_tokens));
      if (isObject(body.reasoning))
        f.reasoning = body.reasoning.effort !== 'none' && body.reasoning.effort !== null;
      break;
    }
    case 'messages': {
      const messages = Array.isArray(body.messages) ? body.messages : [];
      if (messages.length > 0) f.turns = messages.length;
      put(f, 'prompt', lastUserText(messages));
      put(f, 'system_prompt', contentText(body.system));
      if (isObject(body.metadata)) put(f, 'end_user_id', str(body.metadata.user_id));
      put(f, 'max_tokens', int(body.max_tokens));
      if (isObject(body.thinking)) f.reasoning = body.thinking.type !== 'disabled';
      break;
    }
  }
  return f;
}

export interface Usage {
  input_tokens?: number;
  output_tokens?: number;
}

/**
 * Adds what one `usage` object says to `into` (later values win: Anthropic's `message_delta`
 * carries the final output count). Anthropic's `input_tokens` leaves out cached input; the cache
 * reads and writes are added, because the model read those tokens too.
 */
export function mergeUsage(into: Usage, usage: unknown): void {
  if (!isObject(usage)) return;
  const input = int(usage.input_tokens) ?? int(usage.prompt_tokens);
  if (input !== undefined) {
    into.input_tokens =
      input + (int(usage.cache_creation_input_tokens) ?? 0) + (int(usage.cache_read_input_tokens) ?? 0);
  }
  const output = int(usage.output_tokens) ?? int(usage.completion_tokens);
  if (output !== undefined) into.output_tokens = output;
}

/** The usage object inside a response body or a streamed event, wherever each API puts it. */
export function usageObject(json: unknown): unknown {
  if (!isObject(json)) return undefined;
  if (json.usage !== undefined && json.usage !== null) return json.usage;
  if (isObject(json.message) && json.message.usage !== undefined) return json.message.usage;
  if (isObject(json.response) && json.response.usage !== undefined) return json.response.usage;
  return undefined;
}

/** Content block types that carry Anthropic's extended thinking. */
const THINKING_BLOCKS: ReadonlySet<unknown> = new Set(['thinking', 'redacted_thinking']);
/** Fields of an OpenAI-compatible chat message or delta that carry reasoning text (o-series, DeepSeek, vLLM). */
const REASONING_FIELDS = ['reasoning_content', 'reasoning', 'reasoning_details'] as const;

/** Removes OpenAI chat reasoning fields from a message or delta; true when one was there. */
export function stripReasoningFields(m: unknown): boolean {
  if (!isObject(m)) return false;
  let changed = false;
  for (const k of REASONING_FIELDS)
    if (k in m) {
      delete m[k];
      changed = true;
    }
  return changed;
}

export function isThinkingBlock(block: unknown): boolean {
  return isObject(block) && THINKING_BLOCKS.has(block.type);
}

export function isReasoningItem(item: unknown): boolean {
  return isObject(item) && item.type === 'reasoning';
}

/**
 * Removes reasoning from a complete (non-streamed) response body, in place: Anthropic thinking
 * and redacted-thinking blocks, OpenAI chat `reasoning*` fields, Responses `reasoning` output
 * items. Returns true when something was removed.
 */
export function stripReasoning(endpoint: Endpoint, json: unknown): boolean {
  if (!isObject(json)) return false;
  switch (endpoint) {
    case 'messages': {
      if (!Array.isArray(json.content)) return false;
      const kept = json.content.filter((b) => !isThinkingBlock(b));
      if (kept.length === json.content.length) return false;
      json.content = kept;
      return true;
    }
    case 'chat.completions': {
      if (!Array.isArray(json.choices)) return false;
      let changed = false;
      for (const c of json.choices) if (isObject(c) && stripReasoningFields(c.message)) changed = true;
      return changed;
    }
    case 'responses': {
      if (!Array.isArray(json.output)) return false;
      const kept = json.output.filter((i) => !isReasoningItem(i));
      if (kept.length === json.output.length) return false;
      json.output = kept;
      return true;
    }
  }
}

/** What the gateway itself answers (never an upstream error: those pass through unchanged). */
export type GatewayError =
  | { kind: 'throttled'; retryAfterS: number }
  | { kind: 'step_up'; verificationUrl: string | null }
  | { kind: 'blocked' }
  | { kind: 'unavailable'; what: string }
  | { kind: 'bad_gateway' }
  | { kind: 'too_large'; limit: number }
  | { kind: 'unauthorized' }
  | { kind: 'not_found' }
  | { kind: 'bad_request'; message: string };

/** Stable machine-readable codes, the same in both API shapes (OpenAI `code`, Anthropic `error.type`
 * where Anthropic has no equivalent of its own). */
export const GATEWAY_ERROR_CODES = {
  throttled: 'rate_limit_exceeded',
  step_up: 'verification_required',
  blocked: 'account_blocked',
  unavailable: 'enforcement_unavailable',
  bad_gateway: 'upstream_unreachable',
  too_large: 'request_too_large',
  unauthorized: 'unauthorized',
  not_found: 'not_found',
  bad_request: 'invalid_request',
} as const satisfies Record<GatewayError['kind'], string>;

interface Shape {
  status: number;
  message: string;
  openaiType: string;
  anthropicType: string;
}

function shapeOf(e: GatewayError): Shape {
  switch (e.kind) {
    case 'throttled':
      return {
        status: 429,
        message: `Rate limit reached for this account; retry after ${e.retryAfterS} s.`,
        openaiType: 'requests',
        anthropicType: 'rate_limit_error',
      };
    case 'step_up':
      return {
        status: 403,
        message: `Additional verification is required before this account can continue${e.verificationUrl !== null ? `: ${e.verificationUrl}` : '.'}`,
        openaiType: 'verification_required',
        anthropicType: 'verification_required',
      };
    case 'blocked':
      return {
        status: 403,
        message: 'This account is not permitted to use the API.',
        openaiType: 'permission_denied',
        anthropicType: 'permission_error',
      };
    case 'unavailable':
      return {
        status: 503,
        message: `Service temporarily unavailable (${e.what} unreachable); retry later.`,
        openaiType: 'server_error',
        anthropicType: 'overloaded_error',
      };
    case 'bad_gateway':
      return {
        status: 502,
        message: 'The upstream API could not be reached.',
        openaiType: 'server_error',
        anthropicType: 'api_error',
      };
    case 'too_large':
      return {
        status: 413,
        message: `Request body larger than ${e.limit} bytes.`,
        openaiType: 'invalid_request_error',
        anthropicType: 'request_too_large',
      };
    case 'unauthorized':
      return {
        status: 401,
        message: 'Missing or invalid credentials.',
        openaiType: 'invalid_request_error',
        anthropicType: 'authentication_error',
      };
    case 'not_found':
      return {
        status: 404,
        message: 'Not found.',
        openaiType: 'invalid_request_error',
        anthropicType: 'not_found_error',
      };
    case 'bad_request':
      return {
        status: 400,
        message: e.message,
        openaiType: 'invalid_request_error',
        anthropicType: 'invalid_request_error',
      };
  }
}

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The gateway's own error, as the caller's API would have said it. */
export function errorResponse(dialect: Dialect, e: GatewayError): ErrorResponse {
  const s = shapeOf(e);
  const code = GATEWAY_ERROR_CODES[e.kind];
  const body =
    dialect === 'openai'
      ? { error: { message: s.message, type: s.openaiType, param: null, code } }
      : {
          type: 'error',
          error: {
            // Anthropic's error types say nothing of a step-up; its code is the type itself.
            type: e.kind === 'step_up' ? code : s.anthropicType,
            message: s.message,
          },
        };
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-distillguard-action': e.kind,
  };
  if (e.kind === 'throttled') headers['retry-after'] = String(e.retryAfterS);
  return { status: s.status, headers, body: JSON.stringify(body) };
}
