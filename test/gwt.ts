/**
 * Given / when / then for deciders: given these events, when this command, then these events
 * (or this error). The decider is run exactly as the command handler runs it.
 */
export interface Decider<C, S, E> {
  decide(command: C, state: S): E[];
  evolve(state: S, event: E): S;
  readonly initialState: S;
}

export function deciderSpec<C, S, E>(decider: Decider<C, S, E>) {
  return {
    given(events: readonly E[]) {
      return {
        when(command: C) {
          const run = () => decider.decide(command, events.reduce(decider.evolve, decider.initialState));
          return {
            then(expected: readonly E[]): void {
              expect(run()).toEqual(expected);
            },
            thenThrows(error: new (...args: never[]) => Error): void {
              expect(run).toThrow(error);
            },
          };
        },
      };
    },
  };
}
