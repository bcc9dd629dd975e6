/** The logging interface the runtime and connectors use (pino's shape; server/main passes pino). */
export interface EngineLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
  child?(bindings: object): EngineLogger;
}
