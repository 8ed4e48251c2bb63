import OpenAI from 'openai';
import { z } from 'zod';
import { JudgeUnavailable, Semaphore, type JudgeLlm, type JudgeRequest, type JudgeVerdict } from './judge-llm';

const verdictSchema = z.object({ pass: z.boolean(), rationale: z.string().max(4_000) });

/** The structured output every judge call asks for: nothing but a pass and its rationale. */
const RESPONSE_FORMAT = {
  type: 'json_schema',
  json_schema: {
    name: 'verdict',
    strict: true,
    schema: {
      type: 'object',
      properties: { pass: { type: 'boolean' }, rationale: { type: 'string' } },
      required: ['pass', 'rationale'],
      additionalProperties: false,
    },
  },
} as const;

export interface OpenAiJudgeOptions {
  /** With the SDK's own retries off (maxRetries: 0): the retries here are counted and backed off. */
  readonly client: OpenAI;
  readonly maxAttempts?: number;
  /** First back-off; doubles per attempt, with jitter. Default 500 ms. */
  readonly baseDelayMs?: number;
  readonly concurrency?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** Whether another try may succeed: rate limits, server errors, timeouts, dropped connections, malformed output. */
function retryable(error: unknown): boolean {
  if (error instanceof OpenAI.APIConnectionError) return true; // includes timeouts
  if (error instanceof OpenAI.APIError) return error.status === undefined || error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500;
  return error instanceof MalformedVerdict;
}

class MalformedVerdict extends Error {}

/** LLM-as-judge through the `openai` SDK against any OpenAI-compatible endpoint. */
export class OpenAiJudge implements JudgeLlm {
  private readonly semaphore: Semaphore;

  constructor(private readonly options: OpenAiJudgeOptions) {
    this.semaphore = new Semaphore(options.concurrency ?? 4);
  }

  judge(request: JudgeRequest): Promise<JudgeVerdict> {
    return this.semaphore.run(() => this.withRetries(request));
  }

  private async withRetries(request: JudgeRequest): Promise<JudgeVerdict> {
    const maxAttempts = this.options.maxAttempts ?? 4;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const random = this.options.random ?? Math.random;
    let delay = this.options.baseDelayMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      try {
        return { ...(await this.once(request)), attempts: attempt };
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        if (!retryable(error) || attempt >= maxAttempts) throw new JudgeUnavailable(detail, attempt);
        const retryAfter = error instanceof OpenAI.APIError ? Number(error.headers?.get('retry-after') ?? Number.NaN) * 1_000 : Number.NaN;
        await sleep(Number.isFinite(retryAfter) ? Math.min(retryAfter, 30_000) : delay * (0.5 + random()));
        delay *= 2;
      }
    }
  }

  private async once(request: JudgeRequest): Promise<Omit<JudgeVerdict, 'attempts'>> {
    const completion = await this.options.client.chat.completions.create({
      model: request.model,
      temperature: 0,
      messages: [
        { role: 'system', content: request.system },
        { role: 'user', content: request.user },
      ],
      response_format: RESPONSE_FORMAT,
    });
    const content = completion.choices[0]?.message.content ?? '';
    let parsed: z.infer<typeof verdictSchema>;
    try {
      parsed = verdictSchema.parse(JSON.parse(content));
    } catch {
      throw new MalformedVerdict(`the judge answered outside the verdict schema: ${content.slice(0, 200)}`);
    }
    const usage = completion.usage ? { promptTokens: completion.usage.prompt_tokens, completionTokens: completion.usage.completion_tokens } : null;
    return { pass: parsed.pass, rationale: parsed.rationale, model: completion.model || request.model, usage };
  }
}
