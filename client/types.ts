/**
 * The SDK's own types: it depends on nothing (not on the server's code either), so it can be
 * copied into any app or bundled for a browser as it is.
 */

export type SignalType =
  | 'thumbsUp'
  | 'thumbsDown'
  | 'stopped'
  | 'regenerated'
  | 'copied'
  | 'edited'
  | 'adopted'
  | 'deleted'
  | 'followUp'
  | 'corrected';

export type Dimension = 'accuracy' | 'tone' | 'completeness' | 'speed';
export type Adoption = 'accepted' | 'partial' | 'rejected';

/** One signal as the API takes it (RecordSignalInput). */
export interface SignalInput {
  readonly interactionId: string;
  readonly signalId: string;
  readonly type: SignalType;
  readonly dimension?: Dimension;
  readonly comment?: string;
  readonly tokensReceived?: number;
  readonly replacementInteractionId?: string;
  readonly fraction?: number;
  readonly editedText?: string;
  readonly editDistance?: number;
  readonly adoption?: Adoption;
  readonly reask?: boolean;
  readonly occurredAt?: string;
}

/** What a signal was authorised with: an API key (servers) or the interaction's feedback token (browsers). */
export type Credential = { readonly kind: 'apiKey'; readonly key: string } | { readonly kind: 'token'; readonly token: string };

/** The part of `fetch` the SDK uses, so any implementation (browser, Node, a test double) will do. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; keepalive?: boolean },
) => Promise<{ readonly ok: boolean; readonly status: number; text(): Promise<string> }>;

export interface LoggedInteraction {
  readonly interactionId: string;
  readonly position: number;
  /** Hand this to the browser: it authorises feedback on this interaction only. */
  readonly feedbackToken: string;
  readonly feedbackTokenExpiresAt: string;
}

/** A signal the server refused for good (retrying would not help), or gave up on. */
export interface SignalFailure {
  readonly signal: SignalInput;
  readonly code: string;
  readonly message: string;
}

/** An OpenAI chat-completions request body, as far as the SDK needs to know it. */
export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly unknown[];
  readonly stream?: boolean | null;
  readonly [key: string]: unknown;
}

export interface InteractionInput {
  readonly id?: string;
  readonly workloadId: string;
  readonly request: ChatRequest;
  readonly response?: Readonly<Record<string, unknown>> | null;
  readonly clientId?: string;
  readonly conversationId?: string;
  readonly sessionId?: string;
  readonly subjectId?: string;
  readonly promptVersionId?: string;
  readonly latencyMs?: number;
  readonly costUsd?: number;
  readonly tags?: readonly string[];
  readonly pipeline?: { readonly runId: string; readonly nodeId: string; readonly nodeType: 'classifier' | 'writer' | 'codegen' | 'retriever' | 'tool' };
  readonly occurredAt?: string;
}
