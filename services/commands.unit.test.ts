import { BatchTooLarge, eachItem } from './commands';
import { InputInvalid, NotFound } from './errors';

const context = { actor: 'key:test', correlationId: 'req-1' };

describe('eachItem: a batch answered item by item', () => {
  it('answers every item in input order, each under its own correlation id', async () => {
    const seen: string[] = [];
    const results = await eachItem([1, 2, 3], { max: 10, context }, async (n, itemContext) => {
      seen.push(itemContext.correlationId);
      return n * 10;
    });
    expect(results).toEqual([
      { ok: true, value: 10 },
      { ok: true, value: 20 },
      { ok: true, value: 30 },
    ]);
    expect(seen.sort()).toEqual(['req-1:0', 'req-1:1', 'req-1:2']);
  });

  it('answers a refused item with its error and still answers the others', async () => {
    const results = await eachItem(['a', 'missing', 'b'], { max: 10, context }, async (id) => {
      if (id === 'missing') throw new NotFound('interaction', id);
      return id;
    });
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', id: 'missing' } });
  });

  it('names an invalid item’s fields from the batch’s root (inputs.<index>.<path>)', async () => {
    const results = await eachItem([{}, {}], { max: 10, context }, async (_input, itemContext) => {
      if (itemContext.correlationId.endsWith(':1')) throw new InputInvalid([{ path: 'request.messages', message: 'required' }, { path: '', message: 'bad' }]);
      return 'ok';
    });
    const refused = results[1];
    if (refused?.ok !== false || !(refused.error instanceof InputInvalid)) throw new Error('expected the second item refused as InputInvalid');
    expect(refused.error.issues.map((i) => i.path)).toEqual(['inputs.1.request.messages', 'inputs.1']);
  });

  it('refuses a batch over its limit whole, before any item runs', async () => {
    let ran = 0;
    await expect(eachItem([1, 2, 3], { max: 2, context }, async () => ran++)).rejects.toBeInstanceOf(BatchTooLarge);
    expect(ran).toBe(0);
  });

  it('fails the call on an unexpected error (it is not an item’s answer)', async () => {
    await expect(
      eachItem([1], { max: 2, context }, async () => {
        throw new Error('the store is on fire');
      }),
    ).rejects.toThrow('the store is on fire');
  });
});
