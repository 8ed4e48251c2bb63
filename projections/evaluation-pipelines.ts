import { defineProjection } from './projection';
import type { Document, JsonValue } from './read-store';

export const PIPELINE_SETTINGS = 'pipelineSettings';
export const NODE_CHECKS = 'nodeChecks';

export interface PipelineSettingsDoc extends Document {
  readonly sampleDatabaseSql: string | null;
  readonly sampleDatabaseHash: string | null;
  readonly references: { question: string; sql: string }[];
  readonly classes: string[];
  readonly updatedAt: string;
}

/** One pipeline node interaction: its rule checks, and for classifiers the predicted and the labelled class. */
export interface NodeCheckDoc extends Document {
  readonly workloadId: string;
  readonly pipelineRunId: string | null;
  readonly nodeId: string | null;
  readonly nodeType: string | null;
  readonly interactionOccurredAt: string | null;
  readonly checks: JsonValue;
  readonly predictedClass: string | null;
  readonly expectedClass: string | null;
  readonly checkerVersion: string | null;
}

export const evaluationPipelinesProjection = defineProjection({
  name: 'evaluation-pipelines',
  collections: [
    { name: PIPELINE_SETTINGS, indexes: [] },
    { name: NODE_CHECKS, indexes: [{ fields: { pipelineRunId: 1 } }, { fields: { workloadId: 1, nodeType: 1 } }] },
  ],
  on: {
    PipelineChecksConfigured: (event) => {
      const { workloadId, ...d } = event.data;
      const doc: Omit<PipelineSettingsDoc, '_id'> = {
        ...d,
        references: d.references.map((r) => ({ ...r })),
        classes: [...d.classes],
        updatedAt: event.metadata.occurredAt,
      };
      return [{ op: 'replace', collection: PIPELINE_SETTINGS, id: workloadId, doc }];
    },
    ClassLabelled: (event) => {
      const d = event.data;
      // The label may come before or after the check: both upsert their own fields of one document.
      return [{ op: 'update', collection: NODE_CHECKS, id: d.interactionId, upsert: true, update: { $set: { workloadId: d.workloadId, expectedClass: d.expectedClass } } }];
    },
    PipelineNodeChecked: (event) => {
      const d = event.data;
      return [
        {
          op: 'update',
          collection: NODE_CHECKS,
          id: d.interactionId,
          upsert: true,
          update: {
            $set: {
              workloadId: d.workloadId,
              pipelineRunId: d.pipelineRunId,
              nodeId: d.nodeId,
              nodeType: d.nodeType,
              interactionOccurredAt: d.interactionOccurredAt,
              checks: d.checks.map((c) => ({ ...c })),
              predictedClass: d.predictedClass,
              checkerVersion: d.checkerVersion,
            },
          },
        },
      ];
    },
  },
});
