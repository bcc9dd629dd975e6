/** The connectors this build of Eddy offers, handed to the Engine by server/main. */
import type { ConnectorRegistry, SinkConnector } from '../runtime/connector/sink.js';
import type { SourceConnector } from '../runtime/connector/source.js';
import { kafkaSource } from './kafka/source.js';
import { kafkaSink } from './kafka/sink.js';
import { mysqlSink } from './mysql/sink.js';
import { postgresSink } from './postgres/sink.js';

const sources = new Map<string, SourceConnector>([[kafkaSource.name, kafkaSource]]);
const sinks = new Map<string, SinkConnector>([[kafkaSink.name, kafkaSink], [mysqlSink.name, mysqlSink], [postgresSink.name, postgresSink]]);

export const connectorRegistry: ConnectorRegistry = {
  source: (name) => sources.get(name.toLowerCase()),
  sink: (name) => sinks.get(name.toLowerCase()),
  sourceNames: () => [...sources.keys()],
  sinkNames: () => [...sinks.keys()],
};
