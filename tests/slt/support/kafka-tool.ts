/**
 * Kafka for slt files, against the test broker the slt runner starts ($EDDY_SLT_KAFKA):
 *
 *   kafka-tool.js create TOPIC PARTITIONS
 *   kafka-tool.js produce TOPIC < lines       each line one record value, or `P|value` for partition P
 *                                             (an empty line is an empty value; no line: nothing)
 *   kafka-tool.js read TOPIC                  every committed record (read_committed), sorted, one line each:
 *                                             `key value` (null as NULL)
 *   kafka-tool.js latest TOPIC                the newest value per key, sorted by key, keys whose newest
 *                                             record is a tombstone left out: an upsert sink's table
 *
 * Sorting makes the output independent of partition assignment and of how many epochs a sink's
 * transaction happened to merge.
 */
import fs from 'node:fs';
import type { Message } from 'kafkajs';
import { createTopic, produce, readTopic } from '../../support/kafka.js';

async function main(): Promise<void> {
  const [cmd, topic, arg] = process.argv.slice(2);
  const brokers = process.env.EDDY_SLT_KAFKA;
  if (!brokers) throw new Error('$EDDY_SLT_KAFKA is not set');
  if (!cmd || !topic) throw new Error('usage: kafka-tool.js create|produce|read|latest TOPIC [PARTITIONS]');
  switch (cmd) {
    case 'create':
      await createTopic(brokers, topic, Number(arg ?? 1));
      return;
    case 'produce': {
      const text = fs.readFileSync(0, 'utf8');
      const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text === '' ? [] : text.split('\n');
      const messages: Message[] = lines.map((l) => {
        const m = /^(\d+)\|([\s\S]*)$/.exec(l);
        return m ? { partition: Number(m[1]), value: m[2]! } : { value: l };
      });
      await produce(brokers, topic, messages);
      return;
    }
    case 'read':
    case 'latest': {
      const records = await readTopic(brokers, topic);
      let lines: string[];
      if (cmd === 'read') lines = records.map((r) => `${r.key ?? 'NULL'} ${r.value ?? 'NULL'}`);
      else {
        // Offsets order the records of one key (an upsert sink keys by the row's key, one partition per key).
        const newest = new Map<string, string | null>();
        for (const r of records) newest.set(`${r.partition}\u0000${r.key}`, r.value);
        lines = [...newest].filter(([, v]) => v !== null).map(([k, v]) => `${k.split('\u0000')[1]} ${v}`);
      }
      for (const l of lines.sort()) process.stdout.write(`${l}\n`);
      return;
    }
    default:
      throw new Error(`unknown command ${cmd}`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`kafka-tool: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
