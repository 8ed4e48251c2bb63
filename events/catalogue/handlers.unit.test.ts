import { interactionLogged, recorded } from '../../test/events';
import { dispatch, handledTypes, type EventHandlers } from './handlers';

describe('typed handler maps', () => {
  const handlers: EventHandlers<[string], string> = {
    InteractionLogged: (event, suffix) => `${event.data.model}${suffix}`,
    ApiKeyRevoked: (event, suffix) => `${event.data.keyId}${suffix}`,
  };
  const logged = recorded(interactionLogged({ model: 'gpt-4o-mini' }), 1);

  it('calls the handler of the event’s type with its own event and the extra arguments', () => {
    expect(dispatch(handlers, logged.type, logged, '!')).toBe('gpt-4o-mini!');
  });

  it('answers undefined for a type without a handler', () => {
    const revoked = { ...logged, type: 'ApiKeyRevoked' as const, data: { keyId: 'k1', reason: null, revokedBy: 'key:a' } };
    expect(dispatch({ InteractionLogged: handlers.InteractionLogged }, revoked.type, revoked, '!')).toBeUndefined();
  });

  it('derives the event-type filter from the keys', () => {
    expect([...handledTypes(handlers)].sort()).toEqual(['ApiKeyRevoked', 'InteractionLogged']);
  });
});
