import { DomainError } from '../services/errors';
import { actorOf, feedbackAccess, type Principal } from '../services/auth/principal';
import type { FeedbackService } from '../services/feedback/feedback-service';
import type { HttpRoute } from './routes';

export const BEACON_PATH = '/feedback/beacon';
/** What browsers let a beacon carry (64 KiB in Chromium and Firefox). */
export const MAX_BEACON_BYTES = 64 * 1024;
export const MAX_BEACON_SIGNALS = 100;

export interface BeaconDeps {
  readonly feedback: Pick<FeedbackService, 'record'>;
  /** Verifies a feedback token: its principal, or a DomainError (malformed, forged, expired). */
  readonly authenticateToken: (token: string) => Principal;
}

export interface BeaconItemResult {
  readonly signalId: string | null;
  readonly interactionId: string | null;
  readonly status: 'recorded' | 'duplicate' | 'refused';
  readonly code?: string;
}

const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'POST, OPTIONS', 'access-control-allow-headers': 'content-type' };

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...CORS } });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `navigator.sendBeacon` cannot set headers, so a page that is closing sends its last signals
 * here with each signal's feedback token in the body: `{ "signals": [{ "token": "…",
 * "interactionId": "…", "type": "copied", … }] }`, as `text/plain` (a simple request, no
 * preflight). Cross-site posts are expected and safe: nothing here rides on cookies or ambient
 * credentials, the authority is the secret token inside the body, and a token only ever allows
 * feedback on its own interaction. Answers 200 with one result per signal (beacons ignore it;
 * fetch callers and tests read it).
 */
export function feedbackBeaconRoute(deps: BeaconDeps): HttpRoute {
  return { path: BEACON_PATH, methods: ['POST', 'OPTIONS'], handler: beaconHandler(deps) };
}

function beaconHandler(deps: BeaconDeps): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: CORS });
    const declared = Number(request.headers.get('content-length') ?? '0');
    if (declared > MAX_BEACON_BYTES) return json(413, { error: `at most ${MAX_BEACON_BYTES} bytes` });
    const text = await request.text();
    if (Buffer.byteLength(text) > MAX_BEACON_BYTES) return json(413, { error: `at most ${MAX_BEACON_BYTES} bytes` });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return json(400, { error: 'the body must be JSON: { "signals": [ { "token": "…", … } ] }' });
    }
    const signals = isRecord(body) ? body['signals'] : undefined;
    if (!Array.isArray(signals)) return json(400, { error: 'the body must be JSON: { "signals": [ { "token": "…", … } ] }' });
    if (signals.length > MAX_BEACON_SIGNALS) return json(413, { error: `at most ${MAX_BEACON_SIGNALS} signals` });
    const results = await Promise.all(signals.map((item: unknown, index) => recordOne(deps, item, `beacon:${index}`)));
    return json(200, { results });
  };
}

async function recordOne(deps: BeaconDeps, item: unknown, correlationId: string): Promise<BeaconItemResult> {
  const ids = {
    signalId: isRecord(item) && typeof item['signalId'] === 'string' ? item['signalId'] : null,
    interactionId: isRecord(item) && typeof item['interactionId'] === 'string' ? item['interactionId'] : null,
  };
  try {
    if (!isRecord(item) || typeof item['token'] !== 'string') return { ...ids, status: 'refused', code: 'FEEDBACK_TOKEN_MISSING' };
    const { token, ...input } = item;
    const principal = deps.authenticateToken(token);
    const recorded = await deps.feedback.record(input, { actor: actorOf(principal), correlationId, access: feedbackAccess(principal) });
    return { signalId: recorded.signalId, interactionId: recorded.interactionId, status: recorded.duplicate ? 'duplicate' : 'recorded' };
  } catch (error) {
    if (error instanceof DomainError) return { ...ids, status: 'refused', code: error.code };
    throw error;
  }
}
