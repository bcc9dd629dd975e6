/** `eddy start [options]`: runs the server as one foreground process. */
import { parseConfig, helpText, ConfigError } from './config.js';
import { startServer, DataDirError } from './main.js';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(helpText());
    return command ? 0 : 1;
  }
  if (command !== 'start') {
    process.stderr.write(`eddy: unknown command "${command}"\n\n${helpText()}`);
    return 1;
  }
  let cfg;
  try {
    cfg = parseConfig(rest, process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`eddy: ${e.message}\n\n${helpText()}`);
      return 1;
    }
    throw e;
  }
  let server;
  try {
    server = await startServer(cfg);
  } catch (e) {
    if (e instanceof DataDirError) {
      process.stderr.write(`eddy: ${e.message}\n`);
      return e.exitCode;
    }
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      process.stderr.write(`eddy: ${(e as Error).message} (is another server running on that port?)\n`);
      return 4;
    }
    throw e;
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      server.shutdown().then(resolve, resolve);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`eddy: fatal: ${(e as Error).stack ?? e}\n`);
    process.exit(70);
  },
);
