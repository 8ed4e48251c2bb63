import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from '../builder';
// One file per feature; importing registers its types and fields on the builder.
import './errors';
import './interaction';
import './ingest';
import './privacy';
import './auth';
import './evaluation';
import './evaluation-validators';
import './evaluation-judge';
import './evaluation-annotation';
import './evaluation-pipelines';
import './feedback-types';
import './feedback';
import './feedback-reports';

let built: GraphQLSchema | null = null;

export function buildSchema(): GraphQLSchema {
  built ??= builder.toSchema();
  return built;
}

/** The SDL committed as graph/schema.graphql. */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}
