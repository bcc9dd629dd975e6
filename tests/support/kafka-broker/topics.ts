/**
 * The set of topics and their partition logs. topics.json (written atomically) is the source of
 * truth for which topics exist; partition files live in logs/<topic>/<partition>.log. Files are
 * created before the JSON names them and deleted after it stops naming them, so a crash in
 * between leaves only strays that are removed on the next start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readJson, writeJsonAtomic } from './json-file.js';
import { PartitionLog } from './partition-log.js';

interface TopicsFile {
  version: 1;
  topics: Record<string, number>;
}

const LEGAL_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export class TopicRegistry {
  private readonly topics = new Map<string, PartitionLog[]>();
  private readonly stateFile: string;
  private readonly logDir: string;
  /** Torn tails cut off while opening the logs (expected after a kill -9 during a write). */
  readonly truncatedOnOpen: { topic: string; partition: number; bytes: number }[] = [];

  constructor(dataDir: string) {
    this.stateFile = path.join(dataDir, 'topics.json');
    this.logDir = path.join(dataDir, 'logs');
    fs.mkdirSync(this.logDir, { recursive: true });
    const state = readJson<TopicsFile>(this.stateFile, { version: 1, topics: {} });
    for (const [name, count] of Object.entries(state.topics)) {
      const dir = this.topicDir(name);
      fs.mkdirSync(dir, { recursive: true });
      const logs: PartitionLog[] = [];
      for (let p = 0; p < count; p++) {
        const log = PartitionLog.open(path.join(dir, `${p}.log`));
        if (log.truncatedOnOpen > 0) this.truncatedOnOpen.push({ topic: name, partition: p, bytes: log.truncatedOnOpen });
        logs.push(log);
      }
      this.topics.set(name, logs);
    }
    for (const entry of fs.readdirSync(this.logDir)) {
      if (!this.topics.has(entry)) fs.rmSync(path.join(this.logDir, entry), { recursive: true, force: true });
    }
  }

  static isLegalName(name: string): boolean {
    return LEGAL_NAME.test(name) && name !== '.' && name !== '..';
  }

  private topicDir(name: string): string {
    return path.join(this.logDir, name);
  }

  private persist(): void {
    const topics: Record<string, number> = {};
    for (const [name, logs] of this.topics) topics[name] = logs.length;
    writeJsonAtomic(this.stateFile, { version: 1, topics } satisfies TopicsFile);
  }

  names(): string[] {
    return [...this.topics.keys()].sort();
  }

  has(name: string): boolean {
    return this.topics.has(name);
  }

  partitions(name: string): readonly PartitionLog[] | undefined {
    return this.topics.get(name);
  }

  log(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.[partition];
  }

  create(name: string, partitions: number): void {
    if (!TopicRegistry.isLegalName(name)) throw new Error(`illegal topic name ${JSON.stringify(name)}`);
    if (this.topics.has(name)) throw new Error(`topic ${name} already exists`);
    if (!(partitions >= 1)) throw new Error(`invalid partition count ${partitions}`);
    const dir = this.topicDir(name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const logs: PartitionLog[] = [];
    for (let p = 0; p < partitions; p++) logs.push(this.freshLog(dir, p));
    this.topics.set(name, logs);
    this.persist();
  }

  addPartitions(name: string, total: number): void {
    const logs = this.topics.get(name);
    if (!logs) throw new Error(`unknown topic ${name}`);
    if (total <= logs.length) throw new Error(`topic ${name} already has ${logs.length} partitions`);
    for (let p = logs.length; p < total; p++) logs.push(this.freshLog(this.topicDir(name), p));
    this.persist();
  }

  /** A stray file from a crash before topics.json was updated is discarded, not reused. */
  private freshLog(dir: string, partition: number): PartitionLog {
    const file = path.join(dir, `${partition}.log`);
    fs.writeFileSync(file, '');
    return PartitionLog.open(file);
  }

  delete(name: string): void {
    const logs = this.topics.get(name);
    if (!logs) throw new Error(`unknown topic ${name}`);
    this.topics.delete(name);
    this.persist();
    for (const log of logs) log.close();
    fs.rmSync(this.topicDir(name), { recursive: true, force: true });
  }

  close(): void {
    for (const logs of this.topics.values()) for (const log of logs) log.close();
    this.topics.clear();
  }
}
