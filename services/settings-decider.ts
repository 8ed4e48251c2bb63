import type { NewDomainEvent } from '../events/catalogue';
import type { CausalMetadata } from '../events/envelope';
import { canonicalJson, deterministicUuid, sha256Hex } from '../lib/ids';
import type { Decider } from './command-handler';

/** Replace a thing's settings whole (a workload's validators, judge sampling, outcome weights, …). */
export interface ReplaceSettings<TData> {
  readonly type: 'ReplaceSettings';
  /** Whose settings (a workload id): part of the event id. */
  readonly key: string;
  /** The new settings, already parsed by the feature's input schema. */
  readonly data: TData;
  readonly metadata: CausalMetadata;
}

export interface SettingsState<TData> {
  /** How many times the settings have changed: 0 before the first, then the current version. */
  readonly version: number;
  readonly current: TData | null;
}

export interface SettingsSpec<TData> {
  /** The event that records a change (its `create` is checked against the catalogue by the compiler). */
  readonly event: {
    readonly type: string;
    create(event: { readonly id: string; readonly data: TData; readonly metadata: CausalMetadata }): NewDomainEvent;
  };
  /** The settings an event of the stream holds, or null for any other event type. */
  readonly read: (event: NewDomainEvent) => TData | null;
  /** What "unchanged" compares; default the whole data (say, without who set it). */
  readonly compared?: (data: TData) => unknown;
}

/**
 * The one decider for settings: the latest change replaces the previous settings whole; the
 * same settings again are not a new fact (nothing is appended); every change is a new version.
 * The event id names the version and the content, so a retried command is recognised by the
 * store, while a different change decided on the same version conflicts instead of passing
 * for a retry.
 */
export function settingsDecider<TData>(spec: SettingsSpec<TData>): Decider<ReplaceSettings<TData>, SettingsState<TData>> {
  const compared = spec.compared ?? ((data: TData) => data);
  const hashOf = (data: TData) => sha256Hex(canonicalJson(compared(data)));
  return {
    initialState: { version: 0, current: null },
    evolve(state, event) {
      const data = spec.read(event);
      return data === null ? state : { version: state.version + 1, current: data };
    },
    decide(command, state) {
      const hash = hashOf(command.data);
      if (state.current !== null && hashOf(state.current) === hash) return [];
      const version = state.version + 1;
      return [
        spec.event.create({
          id: deterministicUuid(spec.event.type, command.key, String(version), hash),
          data: command.data,
          metadata: command.metadata,
        }),
      ];
    },
  };
}
