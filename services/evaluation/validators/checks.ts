import { countTokens } from 'gpt-tokenizer';
import { detectAll } from 'tinyld';
import type { InputValidatorsConfig, ValidationOutcome, ValidatorCheck } from '../../../events/catalogue/evaluation';
import { dot } from '../../embeddings/embedder';
import { ADVERSARIAL_PATTERNS } from './adversarial-patterns';

/**
 * The input checks, each pure: text and vectors in, a check out. The validator service gathers
 * what they need (config, embeddings, history) and runs them; the reactor and the synchronous
 * query run these very functions, so production monitoring and offline evaluation agree.
 */

/** Something that finds personal data in text: privacy's detector, plugged in by the wiring. */
export type SensitiveInfoDetector = (text: string) => readonly { readonly type: string; readonly start: number; readonly end: number }[];

export const DEFAULT_CONFIG: Omit<InputValidatorsConfig, 'workloadId'> = {
  domainExamples: [],
  topicThreshold: 0.15,
  minTokens: 1,
  maxTokens: 8_000,
  languages: [],
  anomalyThreshold: 0.1,
  knownAttacks: [],
};

const RANK: Record<ValidationOutcome, number> = { pass: 0, flag: 1, block: 2 };

export function worstOf(checks: readonly ValidatorCheck[]): ValidationOutcome {
  return checks.reduce<ValidationOutcome>((worst, c) => (RANK[c.outcome] > RANK[worst] ? c.outcome : worst), 'pass');
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function maxSimilarity(vector: Float32Array, others: readonly Float32Array[]): { best: number; index: number } {
  let best = -1;
  let index = -1;
  for (let i = 0; i < others.length; i++) {
    const other = others[i];
    if (!other) continue;
    const s = dot(vector, other);
    if (s > best) {
      best = s;
      index = i;
    }
  }
  return { best, index };
}

export function topicCheck(vector: Float32Array, domain: readonly Float32Array[], threshold: number): ValidatorCheck {
  if (domain.length === 0) return { validator: 'topic', outcome: 'pass', score: null, evidence: 'no domain examples configured' };
  const { best } = maxSimilarity(vector, domain);
  const score = round(best);
  return best < threshold
    ? { validator: 'topic', outcome: 'flag', score, evidence: `similarity ${score} to the nearest domain example is below ${threshold}` }
    : { validator: 'topic', outcome: 'pass', score, evidence: `similarity ${score} to the nearest domain example` };
}

/** Token counts with the o200k tokenizer (GPT-4o family): close for other BPE models, exact for these. */
export function countInputTokens(text: string): number {
  return text.length === 0 ? 0 : countTokens(text);
}

export function complexityCheck(tokens: number, minTokens: number, maxTokens: number): ValidatorCheck {
  if (tokens > maxTokens) return { validator: 'complexity', outcome: 'block', score: tokens, evidence: `${tokens} tokens, more than ${maxTokens}` };
  if (tokens < minTokens) return { validator: 'complexity', outcome: 'flag', score: tokens, evidence: `${tokens} tokens, fewer than ${minTokens}` };
  return { validator: 'complexity', outcome: 'pass', score: tokens, evidence: `${tokens} tokens, within ${minTokens}–${maxTokens}` };
}

/** Text shorter than this gives the detector too little to go on; it passes as undetermined. */
const MIN_LANGUAGE_CHARS = 16;
const MIN_LANGUAGE_CONFIDENCE = 0.5;
/** The detector reads a prefix: a language shows within a few sentences, and the budget is milliseconds. */
const LANGUAGE_SAMPLE_CHARS = 600;

export function languageCheck(text: string, languages: readonly string[]): ValidatorCheck {
  const sample = text.slice(0, LANGUAGE_SAMPLE_CHARS);
  if (sample.replace(/[^\p{L}]/gu, '').length < MIN_LANGUAGE_CHARS) {
    return { validator: 'language', outcome: 'pass', score: null, evidence: 'too short to determine the language' };
  }
  const top = detectAll(sample)[0];
  if (!top || top.accuracy < MIN_LANGUAGE_CONFIDENCE) {
    return { validator: 'language', outcome: 'pass', score: top ? round(top.accuracy) : null, evidence: 'language undetermined' };
  }
  const score = round(top.accuracy);
  if (languages.length === 0 || languages.includes(top.lang)) {
    return { validator: 'language', outcome: 'pass', score, evidence: `detected ${top.lang}` };
  }
  // Flagged, not blocked: the app can route it to a fallback (a multilingual model, a human).
  return { validator: 'language', outcome: 'flag', score, evidence: `detected ${top.lang}; the workload serves ${languages.join(', ')}: route to the fallback` };
}

export function sensitiveCheck(text: string, detector: SensitiveInfoDetector | null): ValidatorCheck {
  if (!detector) return { validator: 'sensitive', outcome: 'pass', score: null, evidence: 'no sensitive-information detector wired' };
  const found = detector(text);
  if (found.length === 0) return { validator: 'sensitive', outcome: 'pass', score: 0, evidence: 'none found' };
  const counts = new Map<string, number>();
  for (const d of found) counts.set(d.type, (counts.get(d.type) ?? 0) + 1);
  // Types and counts only: the evidence is stored in an event and must not carry the values.
  const summary = [...counts].map(([type, n]) => `${type}×${n}`).join(', ');
  return { validator: 'sensitive', outcome: 'flag', score: found.length, evidence: `found ${summary}` };
}

/** Similarity to a known attack at or above this is flagged (the lexical embedder's scale). */
export const ATTACK_SIMILARITY = 0.6;

export function adversarialCheck(text: string, vector: Float32Array, attacks: readonly Float32Array[]): ValidatorCheck {
  const matched = ADVERSARIAL_PATTERNS.filter((p) => p.re.test(text)).map((p) => p.id);
  if (matched.length > 0) return { validator: 'adversarial', outcome: 'block', score: 1, evidence: `matches ${matched.join(', ')}` };
  const { best, index } = maxSimilarity(vector, attacks);
  const score = round(Math.max(0, best));
  if (best >= ATTACK_SIMILARITY) {
    return { validator: 'adversarial', outcome: 'flag', score, evidence: `similarity ${score} to known attack #${index + 1}` };
  }
  return { validator: 'adversarial', outcome: 'pass', score, evidence: 'no known pattern; not similar to known attacks' };
}

/** Fewer historical inputs than this and "unusual" means nothing yet. */
export const MIN_HISTORY = 20;
const NEAREST = 3;

export function anomalyCheck(vector: Float32Array, history: readonly Float32Array[], threshold: number): ValidatorCheck {
  if (history.length < MIN_HISTORY) {
    return { validator: 'anomaly', outcome: 'pass', score: null, evidence: `${history.length} historical inputs, fewer than ${MIN_HISTORY}` };
  }
  // Mean similarity to the k nearest: one near-duplicate should not make an odd input look normal.
  const top = [-1, -1, -1];
  for (const h of history) {
    const s = dot(vector, h);
    if (s > (top[NEAREST - 1] ?? -1)) {
      top[NEAREST - 1] = s;
      top.sort((a, b) => b - a);
    }
  }
  const score = round(top.reduce((a, b) => a + b, 0) / NEAREST);
  return score < threshold
    ? { validator: 'anomaly', outcome: 'flag', score, evidence: `mean similarity ${score} to the ${NEAREST} nearest of ${history.length} past inputs is below ${threshold}` }
    : { validator: 'anomaly', outcome: 'pass', score, evidence: `mean similarity ${score} to the ${NEAREST} nearest past inputs` };
}
