/** The connectors this build of Eddy offers, handed to the Engine by server/main. */
import type { ConnectorRegistry, SinkConnector } from '../runtime/connector/sink.js';
import type { SourceConnector } from '../runtime/connector/source.js';
import { kafkaSource } from './kafka/source.js';
import { kafkaSink } from './kafka/sink.js';
import { mysqlSink } from './mysql/sink.js';
import { postgresSink } from './postgres/sink.js';
import { filesSource } from './files/source.js';
import { filesSink } from './files/sink.js';
import { datagenSource } from './datagen/source.js';
import { nexmarkSource } from './datagen/nexmark.js';

const sources = new Map<string, SourceConnector>([kafkaSource, filesSource, datagenSource, nexmarkSource].map((c) => [c.name, c]));
const sinks = new Map<string, SinkConnector>([kafkaSink, mysqlSink, postgresSink, filesSink].map((c) => [c.name, c]));

export const connectorRegistry: ConnectorRegistry = {
  source: (name) => sources.get(name.toLowerCase()),
  sink: (name) => sinks.get(name.toLowerCase()),
  sourceNames: () => [...sources.keys()],
  sinkNames: () => [...sinks.keys()],
};
