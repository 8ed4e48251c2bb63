/**
 * The Embedder port: text in, unit-length vectors out. Validators, few-shot retrieval and
 * anomaly detection compare vectors by cosine similarity (a dot product, since they are unit length).
 */
export interface Embedder {
  /** Names the model and its version: vectors from different ids are never compared. */
  readonly id: string;
  readonly dimensions: number;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** The embedder failed (network, quota, a malformed answer); callers decide whether to retry. */
export class EmbedderUnavailable extends Error {
  constructor(
    readonly embedderId: string,
    readonly detail: string,
  ) {
    super(`embedder ${embedderId} failed: ${detail}`);
    this.name = 'EmbedderUnavailable';
  }
}

export function dot(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}

export function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const x of vector) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] ?? 0) / norm;
  return vector;
}
