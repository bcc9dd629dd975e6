#!/usr/bin/env node
/**
 * CLI for the Kafka test broker:
 *   node dist/tests/support/kafka-broker/main.js --port 9092 [--host H] [--data-dir DIR] [--partitions N]
 *     [--no-auto-create] [--quiet]
 * Prints one line "kafka test broker listening on HOST:PORT (data: DIR)" once it accepts
 * connections; SIGTERM/SIGINT stop it cleanly. Diagnostics go to stderr unless --quiet.
 */
import fs from 'node:fs';
import { KafkaTestBroker, type KafkaTestBrokerOptions } from './broker.js';

function usage(message: string): never {
  process.stderr.write(
    `${message}\nusage: kafka-test-broker --port N [--host H] [--data-dir DIR] [--partitions N] [--tls-cert F --tls-key F] [--sasl-plain user:password] [--no-auto-create] [--quiet]\n`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): KafkaTestBrokerOptions {
  const opts: KafkaTestBrokerOptions = { port: 9092 };
  let quiet = false;
  let tlsCert: string | undefined;
  let tlsKey: string | undefined;
  const int = (flag: string, value: string | undefined, min: number): number => {
    const n = Number(value);
    if (value === undefined || !Number.isInteger(n) || n < min) usage(`${flag} needs an integer >= ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--port':
        opts.port = int(flag, value(), 0);
        break;
      case '--host':
        opts.host = value() ?? usage('--host needs a value');
        break;
      case '--data-dir':
        opts.dataDir = value() ?? usage('--data-dir needs a value');
        break;
      case '--partitions':
        opts.defaultPartitions = int(flag, value(), 1);
        break;
      case '--tls-cert':
        tlsCert = value() ?? usage('--tls-cert needs a PEM file');
        break;
      case '--tls-key':
        tlsKey = value() ?? usage('--tls-key needs a PEM file');
        break;
      case '--sasl-plain': {
        // user:password, repeatable
        const v = value() ?? usage('--sasl-plain needs user:password');
        const at = v.indexOf(':');
        if (at <= 0) usage('--sasl-plain needs user:password');
        (opts.saslPlain ??= {})[v.slice(0, at)] = v.slice(at + 1);
        break;
      }
      case '--no-auto-create':
        opts.autoCreateTopics = false;
        break;
      case '--quiet':
        quiet = true;
        break;
      case '--help':
      case '-h':
        usage('a single-node Kafka broker for tests');
      default:
        usage(`unknown argument ${arg}`);
    }
  }
  if ((tlsCert === undefined) !== (tlsKey === undefined)) usage('--tls-cert and --tls-key go together');
  if (tlsCert !== undefined && tlsKey !== undefined) opts.tls = { cert: fs.readFileSync(tlsCert, 'utf8'), key: fs.readFileSync(tlsKey, 'utf8') };
  if (!quiet) opts.log = (m) => process.stderr.write(`kafka-test-broker: ${m}\n`);
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const broker = await KafkaTestBroker.start(opts).catch((err: unknown) => {
  process.stderr.write(`kafka-test-broker: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
process.stdout.write(`kafka test broker listening on ${broker.brokers} (data: ${broker.dataDir})\n`);

let stopping = false;
const shutdown = (): void => {
  if (stopping) process.exit(1); // a second signal means "now"
  stopping = true;
  broker.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`kafka-test-broker: stop failed: ${String(err)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
