import { normalize, type Embedder } from './embedder';

const WORD_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.7;
const TRIGRAM_WEIGHT = 0.35;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * An offline embedder: hashed word unigrams and bigrams plus character trigrams (within words,
 * with boundaries), signed feature hashing into a fixed number of dimensions, L2-normalised.
 * No model, no download, deterministic, and a few milliseconds for a long prompt. It captures
 * lexical overlap (shared words, shared stems through trigrams), which is what topic relevance,
 * known-attack similarity and "have we seen inputs like this" need on day one; a semantic
 * embedder (the OpenAI adapter) replaces it by configuration.
 */
export class LexicalEmbedder implements Embedder {
  readonly id: string;

  constructor(readonly dimensions = 512) {
    this.id = `lexical-hash-v1/${dimensions}`;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedOne(t));
  }

  /** Synchronous, for callers on a latency budget. */
  embedOne(text: string): Float32Array {
    const vector = new Float32Array(this.dimensions);
    const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
    let previous = 0;
    for (let w = 0; w < words.length; w++) {
      const word = words[w] ?? '';
      const h = fnv(word, FNV_OFFSET);
      this.add(vector, h, WORD_WEIGHT);
      if (w > 0) this.add(vector, mix(previous, h), BIGRAM_WEIGHT);
      previous = h;
      this.trigrams(vector, word);
    }
    return normalize(vector);
  }

  /** Trigrams of `^word$`, hashed from char codes without building substrings. */
  private trigrams(vector: Float32Array, word: string): void {
    const n = word.length;
    if (n === 0) return;
    // Boundary marker 0x02 at both ends: "^ab", "abc", …, "yz$".
    const at = (i: number): number => (i < 0 || i >= n ? 2 : word.charCodeAt(i));
    for (let i = -1; i < n - 1; i++) {
      let h = FNV_OFFSET ^ 0x5bd1e995;
      h = Math.imul(h ^ at(i), FNV_PRIME);
      h = Math.imul(h ^ at(i + 1), FNV_PRIME);
      h = Math.imul(h ^ at(i + 2), FNV_PRIME);
      this.add(vector, h >>> 0, TRIGRAM_WEIGHT);
    }
  }

  private add(vector: Float32Array, hash: number, weight: number): void {
    const index = hash % this.dimensions;
    // The sign bit spreads collisions around zero instead of piling them up.
    vector[index] = (vector[index] ?? 0) + ((hash & 0x80000000) !== 0 ? -weight : weight);
  }
}

function fnv(text: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

function mix(a: number, b: number): number {
  return Math.imul(a ^ Math.imul(b, 0x9e3779b1), FNV_PRIME) >>> 0;
}
