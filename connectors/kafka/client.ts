/** kafkajs clients for the connector: one log bridge, quiet retries (the connector retries itself). */
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { EngineLogger } from '../../runtime/engine-logger.js';
import { clientConfig } from './options.js';

/** kafkajs logs every failed connection attempt as an error; the connector reports status instead. */
function logCreator(log: EngineLogger) {
  return () => (entry: LogEntry) => {
    const { message, ...rest } = entry.log;
    if (entry.level <= logLevel.WARN) log.debug({ kafkajs: entry.namespace, ...rest }, message);
  };
}

export function kafkaClient(options: Readonly<Record<string, string>>, clientId: string, log: EngineLogger, retries = 2, requestTimeout?: number): Kafka {
  const cfg = clientConfig(options, clientId);
  if (requestTimeout !== undefined) cfg.requestTimeout = requestTimeout;
  return new Kafka({
    ...cfg,
    logLevel: logLevel.WARN,
    logCreator: logCreator(log),
    retry: { retries, initialRetryTime: 200, maxRetryTime: 2000 },
  });
}

/** A kafkajs error as one line (its nested cause is often the useful part). */
export function errorText(e: unknown): string {
  const err = e as { message?: string; cause?: { message?: string }; originalError?: { message?: string } };
  const inner = err.originalError?.message ?? err.cause?.message;
  const msg = err.message ?? String(e);
  return inner && !msg.includes(inner) ? `${msg}: ${inner}` : msg;
}
