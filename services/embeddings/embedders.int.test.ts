import OpenAI from 'openai';
import { startFakeOpenAi } from '../llm/testing/fake-openai-server';
import { EmbedderUnavailable } from './embedder';
import { describeEmbedderContract } from './embedder-contract';
import { LexicalEmbedder } from './lexical-embedder';
import { OpenAiEmbedder } from './openai-embedder';

describeEmbedderContract('lexical', async () => ({ embedder: new LexicalEmbedder() }));

describeEmbedderContract('OpenAI-compatible endpoint (local server)', async () => {
  const fake = await startFakeOpenAi(() => ({ pass: true, rationale: '' }));
  const client = new OpenAI({ apiKey: 'test', baseURL: fake.baseUrl, maxRetries: 0 });
  return { embedder: new OpenAiEmbedder({ client, model: 'text-embedding-3-small', dimensions: 8 }), close: () => fake.close() };
});

describe('OpenAiEmbedder errors', () => {
  it('maps the SDK’s failures to EmbedderUnavailable', async () => {
    const client = new OpenAI({ apiKey: 'test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, timeout: 2_000 });
    const embedder = new OpenAiEmbedder({ client, model: 'm', dimensions: 8 });
    await expect(embedder.embed(['x'])).rejects.toBeInstanceOf(EmbedderUnavailable);
  });
});
