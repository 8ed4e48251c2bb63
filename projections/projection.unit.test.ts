import { interactionLogged, recorded } from '../test/events';
import { defineProjection } from './projection';

describe('defineProjection', () => {
  const logged = recorded(interactionLogged({ model: 'gpt-4o-mini' }), 1);

  it('builds a projection whose filter, operations and notifications come from its maps', () => {
    const projection = defineProjection({
      name: 'probe',
      collections: [{ name: 'probe', indexes: [] }],
      on: { InteractionLogged: (event) => [{ op: 'delete', collection: 'probe', id: event.data.interactionId }] },
      notify: { InteractionLogged: (event) => [{ topic: 'probe', message: { id: event.data.interactionId } }] },
    });
    expect([...projection.eventTypes]).toEqual(['InteractionLogged']);
    const id = logged.type === 'InteractionLogged' ? logged.data.interactionId : '';
    expect(projection.project(logged)).toEqual([{ op: 'delete', collection: 'probe', id }]);
    expect(projection.notify?.(logged)).toEqual([{ topic: 'probe', message: { id } }]);
  });
});
