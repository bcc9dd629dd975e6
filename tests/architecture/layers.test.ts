/**
 * The layer rules of ARCHITECTURE.md §3, checked on every import so they cannot erode:
 * runtime/ never imports server/, parser/, planner/ or connectors/; connectors/ never import the
 * planner or server; planner/ never imports server/; parser/ imports only itself and runtime/sql.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const forbidden: Record<string, string[]> = {
  runtime: ['server', 'parser', 'planner', 'connectors'],
  connectors: ['server', 'parser', 'planner'],
  planner: ['server', 'connectors'],
  parser: ['server', 'planner', 'connectors', 'runtime/engine', 'runtime/dataflow', 'runtime/batch'],
};

function* sources(dir: string): Iterable<string> {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* sources(p);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) yield p;
  }
}

test('imports respect the layer rules', () => {
  const violations: string[] = [];
  let files = 0;
  for (const [layer, bad] of Object.entries(forbidden)) {
    for (const file of sources(path.join(root, layer))) {
      files++;
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/from\s+'([^']+)'/g)) {
        const spec = m[1];
        if (!spec.startsWith('.')) continue;
        const target = path.relative(root, path.resolve(path.dirname(file), spec));
        if (bad.some((b) => target === b || target.startsWith(b + '/') || target.startsWith(b + '.'))) {
          violations.push(`${path.relative(root, file)} imports ${target}`);
        }
      }
    }
  }
  assert.ok(files > 20, 'found the sources');
  assert.deepEqual(violations, []);
});
