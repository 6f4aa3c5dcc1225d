/**
 * Enforce stage: policy → action in the request path. A reverse proxy on `node:http` + undici
 * (`startGateway`) and the same core as Hono middleware (`distillguard`), both built on an
 * `Enforcer` assembled from ports: StateStore (memory | Redis), VerdictFeed (a `hunt` directory,
 * pushed updates), ExchangeSink (segment files, HTTP to `watch`). docs/gateway.md.
 */
export type { AccountInfo, AccountsLoad } from './accounts.js';
export { loadAccounts } from './accounts.js';
export type { Dialect, Endpoint, ErrorResponse, GatewayError, RequestFacts, Usage } from './api.js';
export {
  ENDPOINTS,
  endpointOf,
  errorResponse,
  GATEWAY_ERROR_CODES,
  requestFacts,
  stripReasoning,
} from './api.js';
export type { Caller, KeyInfo } from './callers.js';
export { KeysFile, keyIdOf, keyTable, loadKeysFile, sha256Hex } from './callers.js';
export type {
  CaptureStats,
  ExchangeRecord,
  ExchangeSink,
  PendingExchange,
  SinkStats,
  TextMode,
} from './capture.js';
export { buildRecord, CaptureQueue, TEXT_MODES } from './capture.js';
export type {
  Admission,
  AdmitInput,
  DecisionEvent,
  EnforcerOptions,
  EnforcerSettings,
  EnforcerStats,
  FailMode,
} from './enforcer.js';
export { DEFAULT_THROTTLE, Enforcer, FAIL_MODES } from './enforcer.js';
export type { EnforceErrorCode } from './errors.js';
export { ENFORCE_ERROR_CODES, EnforceError } from './errors.js';
export type { Artifacts, EvasionKind, EvasionMatch } from './evasion.js';
export { EVASION_THRESHOLD, EVASION_WEIGHTS, EvasionIndex, INFRA_KINDS, subnetOf } from './evasion.js';
export { FEEDBACK_CHECK_MS, FeedbackFile } from './feedback-file.js';
export type { HttpSinkOptions } from './http-sink.js';
export { exchangesUrl, HttpSink } from './http-sink.js';
export type { DistillguardEnv, DistillguardMiddlewareOptions } from './middleware.js';
export { distillguard } from './middleware.js';
export type { MockUpstream, MockUpstreamOptions, ReceivedRequest } from './mock-upstream.js';
export { startMockUpstream } from './mock-upstream.js';
export type { Action, ActionMap, Decision, Reason, Subject } from './policy.js';
export { ACTIONS, DEFAULT_ACTIONS, Policy } from './policy.js';
export type { ProxyOptions, RunningGateway } from './proxy.js';
export { ADMIN_PREFIX, Gateway, MAX_BODY_BYTES, startGateway } from './proxy.js';
export type { RedisStateOptions } from './redis-state.js';
export { openRedisState } from './redis-state.js';
export type { SegmentSinkOptions } from './segment-sink.js';
export { SegmentSink } from './segment-sink.js';
export { SseDegrader, SseUsageReader } from './sse.js';
export type { BucketLimits, StateStore, TakeResult } from './state.js';
export { MemoryBackend, memoryState } from './state.js';
export type { AccountEntry, CampaignEntry, VerdictUpdate } from './verdict-book.js';
export { VerdictBook } from './verdict-book.js';
export type { FeedStats, FeedTarget, VerdictFeed } from './verdict-feed.js';
export { HuntDirFeed, parseUpdates } from './verdict-feed.js';
