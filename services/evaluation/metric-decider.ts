import { z } from 'zod';
import type { NewDomainEvent } from '../../events/catalogue';
import { MetricDefined, MetricRetired, MetricRevised, type MetricDefinitionData } from '../../events/catalogue/evaluation';
import { nodeTypeSchema, workloadIdSchema, type NodeType } from '../../events/catalogue/ingest';
import type { CausalMetadata } from '../../events/envelope';
import { deterministicUuid } from '../../lib/ids';
import { InputInvalid, issuesFromZod } from '../errors';
import { MetricAlreadyDefined, MetricIsRetired, MetricNotFound, MetricVersionConflict } from './errors';

export interface MetricFields {
  readonly name: string;
  readonly question: string;
  readonly rubric: string;
  readonly judgeModel: string | null;
}

export interface DefineMetric extends MetricFields {
  readonly type: 'DefineMetric';
  readonly workloadId: string;
  readonly nodeType: NodeType | null;
  readonly metadata: CausalMetadata;
}

export interface ReviseMetric {
  readonly type: 'ReviseMetric';
  readonly metricId: string;
  /** The version the caller read; omitted: whatever is latest. */
  readonly expectedVersion: number | null;
  readonly changes: Partial<MetricFields>;
  readonly metadata: CausalMetadata;
}

export interface RetireMetric {
  readonly type: 'RetireMetric';
  readonly metricId: string;
  readonly reason: string | null;
  readonly metadata: CausalMetadata;
}

export type MetricCommand = DefineMetric | ReviseMetric | RetireMetric;

export type MetricState =
  | { readonly status: 'absent' }
  | { readonly status: 'active' | 'retired'; readonly definition: MetricDefinitionData };

export const initialState: MetricState = { status: 'absent' };

const fieldRules = z.object({
  name: z.string().trim().min(1, 'required').max(100),
  question: z.string().trim().min(1, 'required').max(2_000),
  rubric: z.string().trim().max(8_000),
  judgeModel: z.string().trim().min(1).max(256).nullable(),
});

/** The metric's id: stable across revisions, derived so the same definition sent twice is one metric. */
/** Workload ids cannot hold a dot, so a metric id names its workload before the first one. */
export function workloadOfMetric(metricId: string): string {
  return metricId.split('.')[0] ?? metricId;
}

export function metricIdOf(workloadId: string, name: string, nodeType: NodeType | null): string {
  const slug =
    name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 64)
      .replace(/-+$/, '') || 'metric';
  return `${workloadId}.${slug}${nodeType ? `.${nodeType}` : ''}`;
}

export function evolve(state: MetricState, event: NewDomainEvent): MetricState {
  switch (event.type) {
    case 'MetricDefined':
    case 'MetricRevised':
      return { status: 'active', definition: event.data };
    case 'MetricRetired':
      return state.status === 'absent' ? state : { status: 'retired', definition: state.definition };
  }
  return state;
}

export function decide(command: MetricCommand, state: MetricState): NewDomainEvent[] {
  switch (command.type) {
    case 'DefineMetric':
      return define(command, state);
    case 'ReviseMetric':
      return revise(command, state);
    case 'RetireMetric':
      return retire(command, state);
  }
}

function same(a: MetricFields, b: MetricFields): boolean {
  return a.name === b.name && a.question === b.question && a.rubric === b.rubric && a.judgeModel === b.judgeModel;
}

function define(command: DefineMetric, state: MetricState): NewDomainEvent[] {
  const scope = z.object({ workloadId: workloadIdSchema, nodeType: nodeTypeSchema.nullable() }).safeParse(command);
  const fields = fieldRules.safeParse(command);
  if (!scope.success || !fields.success) {
    throw new InputInvalid([...(scope.success ? [] : issuesFromZod(scope.error)), ...(fields.success ? [] : issuesFromZod(fields.error))]);
  }
  const metricId = metricIdOf(command.workloadId, fields.data.name, command.nodeType);
  if (state.status !== 'absent') {
    // Sending the same definition again (a retry) is not an error; anything else is.
    if (state.status === 'active' && state.definition.version === 1 && same(state.definition, fields.data)) return [];
    throw new MetricAlreadyDefined(metricId, state.definition.version);
  }
  return [
    MetricDefined.create({
      id: deterministicUuid(MetricDefined.type, metricId),
      data: { metricId, workloadId: command.workloadId, nodeType: command.nodeType, ...fields.data, version: 1 },
      metadata: command.metadata,
    }),
  ];
}

function revise(command: ReviseMetric, state: MetricState): NewDomainEvent[] {
  if (state.status === 'absent') throw new MetricNotFound(command.metricId);
  if (state.status === 'retired') throw new MetricIsRetired(command.metricId);
  const current = state.definition;
  if (command.expectedVersion !== null && command.expectedVersion !== current.version) {
    throw new MetricVersionConflict(command.metricId, command.expectedVersion, current.version);
  }
  const merged = { name: current.name, question: current.question, rubric: current.rubric, judgeModel: current.judgeModel, ...command.changes };
  const fields = fieldRules.safeParse(merged);
  if (!fields.success) throw new InputInvalid(issuesFromZod(fields.error));
  if (same(current, fields.data)) return [];
  const version = current.version + 1;
  return [
    MetricRevised.create({
      id: deterministicUuid(MetricRevised.type, command.metricId, String(version)),
      data: { metricId: current.metricId, workloadId: current.workloadId, nodeType: current.nodeType, ...fields.data, version },
      metadata: command.metadata,
    }),
  ];
}

function retire(command: RetireMetric, state: MetricState): NewDomainEvent[] {
  if (state.status === 'absent') throw new MetricNotFound(command.metricId);
  if (state.status === 'retired') return [];
  const reason = z.string().trim().max(500).nullable().safeParse(command.reason);
  if (!reason.success) throw new InputInvalid(issuesFromZod(reason.error, 'reason'));
  return [
    MetricRetired.create({
      id: deterministicUuid(MetricRetired.type, command.metricId),
      data: { metricId: command.metricId, workloadId: state.definition.workloadId, version: state.definition.version, reason: reason.data || null },
      metadata: command.metadata,
    }),
  ];
}
