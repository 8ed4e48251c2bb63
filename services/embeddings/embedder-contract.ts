import { dot, type Embedder } from './embedder';

/** What every Embedder adapter must do; run against each (lexical, OpenAI-compatible). */
export function describeEmbedderContract(name: string, factory: () => Promise<{ embedder: Embedder; close?: () => Promise<void> }>): void {
  describe(`Embedder contract: ${name}`, () => {
    let embedder: Embedder;
    let close: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      ({ embedder, close } = await factory());
    });
    afterAll(async () => close?.());

    it('answers one unit-length vector per text, in order, of its dimensions', async () => {
      const vectors = await embedder.embed(['Where is my order?', 'How do I reset my password?', 'Where is my order?']);
      expect(vectors).toHaveLength(3);
      for (const v of vectors) {
        expect(v).toHaveLength(embedder.dimensions);
        expect(dot(v, v)).toBeCloseTo(1, 4);
      }
      const [a, , c] = vectors;
      if (!a || !c) throw new Error('missing vectors');
      expect(dot(a, c)).toBeCloseTo(1, 4);
    });

    it('answers nothing for nothing, and names itself', async () => {
      expect(await embedder.embed([])).toEqual([]);
      expect(embedder.id.length).toBeGreaterThan(0);
    });
  });
}
