/**
 * Skip lists: JSON objects mapping `relative/path.slt:line` (the line of a record's keyword line)
 * or a whole file `relative/path.slt` to the reason it is skipped. Keys match as path suffixes on
 * segment boundaries, so `streaming/basic.slt:12` matches `/any/where/e2e_test/streaming/basic.slt`
 * line 12. Keys starting with `_` are comments.
 */
import fs from 'node:fs';
import path from 'node:path';

export class SkipList {
  private readonly records = new Map<string, string>(); // "suffix:line" -> reason
  private readonly files = new Map<string, string>(); // "suffix" -> reason
  private readonly used = new Set<string>();

  constructor(entries: Record<string, string> = {}) {
    for (const [key, reason] of Object.entries(entries)) {
      if (key.startsWith('_')) continue;
      const m = /^(.*):(\d+)$/.exec(key);
      if (m) this.records.set(`${toPosix(m[1]!)}:${m[2]}`, reason);
      else this.files.set(toPosix(key), reason);
    }
  }

  static load(file: string): SkipList {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${file}: a skip list is a JSON object`);
    const entries: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v !== 'string') throw new Error(`${file}: reason for ${k} must be a string`);
      entries[k] = v;
    }
    return new SkipList(entries);
  }

  /** Merge several lists (later ones win). */
  static merge(lists: SkipList[]): SkipList {
    const out = new SkipList();
    for (const l of lists) {
      for (const [k, v] of l.records) out.records.set(k, v);
      for (const [k, v] of l.files) out.files.set(k, v);
    }
    return out;
  }

  get size(): number {
    return this.records.size + this.files.size;
  }

  /** The skip reason for a record at `file:line`, if listed. */
  reasonFor(file: string, line: number): string | undefined {
    const suffixes = pathSuffixes(toPosix(path.resolve(file)));
    for (const s of suffixes) {
      for (const key of [`${s}:${line}`, s]) {
        const r = this.records.get(key) ?? this.files.get(key);
        if (r !== undefined) {
          this.used.add(key);
          return r;
        }
      }
    }
    return undefined;
  }

  /** Entries for one of `files` that matched no record (stale line numbers after an upstream change). */
  unusedEntriesFor(files: readonly string[]): string[] {
    const ran = files.map((f) => pathSuffixes(toPosix(path.resolve(f))));
    const keys = [...this.records.keys(), ...this.files.keys()].filter((k) => !this.used.has(k));
    return keys.filter((k) => {
      const file = k.replace(/:\d+$/, '');
      return ran.some((suffixes) => suffixes.includes(file));
    });
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** `a/b/c.slt` -> [`a/b/c.slt`, `b/c.slt`, `c.slt`] (and the absolute path first). */
function pathSuffixes(abs: string): string[] {
  const parts = abs.split('/').filter((p) => p.length > 0);
  const out = [abs];
  for (let i = 0; i < parts.length; i++) out.push(parts.slice(i).join('/'));
  return out;
}
