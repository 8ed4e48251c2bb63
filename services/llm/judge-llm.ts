/**
 * The judge's port: one binary verdict with its rationale from an LLM. Adapters map their
 * SDK's failures to JudgeUnavailable (the judge records a gap, never a guess).
 */
export interface JudgeRequest {
  readonly model: string;
  readonly system: string;
  readonly user: string;
}

export interface JudgeUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export interface JudgeVerdict {
  readonly pass: boolean;
  readonly rationale: string;
  /** The model that answered, as the endpoint reports it. */
  readonly model: string;
  readonly usage: JudgeUsage | null;
  /** Tries it took (1 when the first succeeded). */
  readonly attempts: number;
}

export interface JudgeLlm {
  judge(request: JudgeRequest): Promise<JudgeVerdict>;
}

export class JudgeUnavailable extends Error {
  constructor(
    readonly detail: string,
    readonly attempts: number,
  ) {
    super(`the judge failed after ${attempts} attempt(s): ${detail}`);
    this.name = 'JudgeUnavailable';
  }
}

/** USD per million tokens (input, output) of common judge models; unknown models cost null. */
const PRICES: readonly (readonly [RegExp, number, number])[] = [
  [/^gpt-4o-mini/, 0.15, 0.6],
  [/^gpt-4o/, 2.5, 10],
  [/^gpt-4\.1-mini/, 0.4, 1.6],
  [/^gpt-4\.1-nano/, 0.1, 0.4],
  [/^gpt-4\.1/, 2, 8],
  [/^o4-mini/, 1.1, 4.4],
];

export function costOf(model: string, usage: JudgeUsage | null): number | null {
  if (!usage) return null;
  const price = PRICES.find(([re]) => re.test(model));
  if (!price) return null;
  return (usage.promptTokens * price[1] + usage.completionTokens * price[2]) / 1_000_000;
}

/**
 * The model family without its dated snapshot (`gpt-4o-2024-08-06` → `gpt-4o`), and without
 * a provider prefix (`openai/gpt-4o`): a judge is refused on its own family, not only on an
 * identical string.
 */
export function modelFamily(model: string): string {
  const bare = model.toLowerCase().split('/').pop() ?? model.toLowerCase();
  return bare.replace(/-\d{4}-\d{2}-\d{2}$/, '').replace(/-(latest|preview)$/, '');
}

/** Waits for a free slot: at most `limit` judge calls are in flight at once. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  get inFlight(): number {
    return this.active;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
