/**
 * A small file glob for `include` directives: `*` and `?` within one path segment, `[...]`
 * character classes, and `**` for zero or more directories. Results are sorted per directory,
 * like the Rust `glob` crate that sqllogictest-rs uses.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Absolute paths of the regular files matching `pattern` (absolute, or relative to `baseDir`). */
export function globFiles(pattern: string, baseDir: string): string[] {
  const abs = path.resolve(baseDir, pattern);
  const { root } = path.parse(abs);
  const segments = abs.slice(root.length).split(path.sep).filter((s) => s.length > 0);
  const out: string[] = [];
  walk(root, segments, 0, out);
  return [...new Set(out)];
}

function walk(dir: string, segments: string[], i: number, out: string[]): void {
  if (i === segments.length) {
    if (isFile(dir)) out.push(dir);
    return;
  }
  const seg = segments[i]!;
  if (seg === '**') {
    walk(dir, segments, i + 1, out); // zero directories
    for (const name of listDir(dir)) {
      const child = path.join(dir, name);
      if (isDir(child)) walk(child, segments, i, out);
    }
    return;
  }
  if (!hasMagic(seg)) {
    walk(path.join(dir, seg), segments, i + 1, out);
    return;
  }
  const re = segmentRegex(seg);
  for (const name of listDir(dir)) {
    if (name.startsWith('.') && !seg.startsWith('.')) continue;
    if (re.test(name)) walk(path.join(dir, name), segments, i + 1, out);
  }
}

function hasMagic(seg: string): boolean {
  return /[*?[]/.test(seg);
}

/** `*` -> any run of non-separator chars, `?` -> one char, `[...]` kept as a class. */
export function segmentRegex(seg: string): RegExp {
  let src = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') src += '[^/]*';
    else if (c === '?') src += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) src += '\\[';
      else {
        let cls = seg.slice(i + 1, end);
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        src += '[' + cls.replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else src += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp('^' + src + '$');
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
