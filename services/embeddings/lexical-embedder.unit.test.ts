import { dot } from './embedder';
import { LexicalEmbedder } from './lexical-embedder';

describe('lexical embedder', () => {
  const e = new LexicalEmbedder(512);
  const sim = (a: string, b: string) => dot(e.embedOne(a), e.embedOne(b));

  it('gives unit vectors, the same for the same text', () => {
    const v = e.embedOne('Where is my order?');
    expect(v).toHaveLength(512);
    expect(dot(v, v)).toBeCloseTo(1, 5);
    expect(Array.from(e.embedOne('Where is my order?'))).toEqual(Array.from(v));
    expect(e.id).toBe('lexical-hash-v1/512');
  });

  it('puts related texts closer than unrelated ones', () => {
    const related = sim('my router keeps dropping the wifi connection', 'the wifi router drops connections every evening');
    const unrelated = sim('my router keeps dropping the wifi connection', 'what is the capital of France');
    expect(related).toBeGreaterThan(0.3);
    expect(unrelated).toBeLessThan(0.15);
    expect(related).toBeGreaterThan(unrelated + 0.2);
  });

  it('handles empty text and other scripts', async () => {
    const [empty, cjk] = await e.embed(['', '我的路由器坏了']);
    expect(empty && dot(empty, empty)).toBe(0);
    expect(cjk && dot(cjk, cjk)).toBeCloseTo(1, 5);
  });
});
