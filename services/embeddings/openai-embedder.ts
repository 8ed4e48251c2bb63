import OpenAI from 'openai';
import { EmbedderUnavailable, normalize, type Embedder } from './embedder';

export interface OpenAiEmbedderOptions {
  readonly client: OpenAI;
  readonly model: string;
  /** The model's vector length (text-embedding-3-small: 1536). */
  readonly dimensions: number;
}

/** The OpenAI embeddings API (or any compatible endpoint), behind the Embedder port. */
export class OpenAiEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;

  constructor(private readonly options: OpenAiEmbedderOptions) {
    this.id = `openai:${options.model}`;
    this.dimensions = options.dimensions;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    let response: OpenAI.Embeddings.CreateEmbeddingResponse;
    try {
      response = await this.options.client.embeddings.create({ model: this.options.model, input: [...texts], encoding_format: 'float' });
    } catch (error) {
      // The SDK's errors stop here: above the port only EmbedderUnavailable is seen.
      throw new EmbedderUnavailable(this.id, error instanceof Error ? error.message : String(error));
    }
    const vectors: Float32Array[] = new Array<Float32Array>(texts.length);
    for (const item of response.data) {
      if (!Array.isArray(item.embedding) || item.index < 0 || item.index >= texts.length) {
        throw new EmbedderUnavailable(this.id, 'malformed embeddings response');
      }
      vectors[item.index] = normalize(Float32Array.from(item.embedding));
    }
    for (let i = 0; i < texts.length; i++) if (!vectors[i]) throw new EmbedderUnavailable(this.id, `no embedding for input ${i}`);
    return vectors;
  }
}
