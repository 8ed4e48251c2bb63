import type { JudgeVerdict } from '../../llm/judge-llm';

export interface JudgeStatus {
  readonly configured: boolean;
  /** Why the judge does nothing, when it does nothing. */
  readonly reason: string | null;
  readonly endpoint: string | null;
  readonly defaultModel: string | null;
  readonly concurrency: number | null;
  readonly calls: number;
  /** Calls that needed more than one try. */
  readonly retried: number;
  readonly failures: number;
  readonly skippedSameModel: number;
  readonly skippedNoAnswer: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** What the judge calls cost since this process started (models with a known price). */
  readonly costUsd: number;
}

/** The judge's running totals in this process: what it did, what it refused, what it cost. */
export class JudgeCounter {
  private calls = 0;
  private retried = 0;
  private failures = 0;
  private sameModel = 0;
  private noAnswer = 0;
  private promptTokens = 0;
  private completionTokens = 0;
  private costUsd = 0;

  constructor(private readonly setup: { configured: boolean; reason: string | null; endpoint: string | null; defaultModel: string | null; concurrency: number | null }) {}

  judged(verdict: JudgeVerdict, costUsd: number | null): void {
    this.calls += 1;
    if (verdict.attempts > 1) this.retried += 1;
    this.promptTokens += verdict.usage?.promptTokens ?? 0;
    this.completionTokens += verdict.usage?.completionTokens ?? 0;
    this.costUsd += costUsd ?? 0;
  }

  failed(): void {
    this.failures += 1;
  }

  skipped(reason: 'SAME_MODEL' | 'NO_ANSWER' | 'JUDGE_FAILED'): void {
    if (reason === 'SAME_MODEL') this.sameModel += 1;
    else if (reason === 'NO_ANSWER') this.noAnswer += 1;
  }

  status(): JudgeStatus {
    return {
      ...this.setup,
      calls: this.calls,
      retried: this.retried,
      failures: this.failures,
      skippedSameModel: this.sameModel,
      skippedNoAnswer: this.noAnswer,
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      costUsd: this.costUsd,
    };
  }
}
