// The op tables of the repository's docs, held to core's op records (OPS): a table that misses an
// op, or names one that is no op, fails here. An op table is a markdown table whose header's first
// cell is `op`; the op names of a row are the backticked identifiers of its first cell
// (`gemm(a, b, {...})` names gemm; `'auto'` or plain words name nothing).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OP_NAMES, OPS } from '@convkit/core';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const KERNELS: readonly string[] = OP_NAMES;
const ALL: readonly string[] = Object.keys(OPS);

interface Row {
  line: number;
  names: string[];
}
interface OpTable {
  line: number;
  rows: Row[];
}

/** The cells of a table line, split on unescaped pipes. */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim());
}

/** The op names a table cell gives: backticked spans that start with an identifier. */
function namesIn(cell: string): string[] {
  const out: string[] = [];
  for (const m of cell.matchAll(/`([^`]+)`/g)) {
    const id = /^([A-Za-z_][A-Za-z0-9_]*)/.exec(m[1]!);
    if (id) out.push(id[1]!);
  }
  return out;
}

/** Every op table of a markdown text (outside fenced code). */
function opTables(md: string): OpTable[] {
  const lines = md.split('\n');
  const tables: OpTable[] = [];
  let fenced = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^\s*```/.test(l)) fenced = !fenced;
    if (fenced || !l.trimStart().startsWith('|')) continue;
    const prev = lines[i - 1]?.trimStart() ?? '';
    const sep = lines[i + 1]?.trim() ?? '';
    if (prev.startsWith('|') || !/^\|?\s*:?-{3,}/.test(sep)) continue; // not a header line
    if (cells(l)[0] !== 'op') continue;
    const table: OpTable = { line: i + 1, rows: [] };
    for (let j = i + 2; j < lines.length && lines[j]!.trimStart().startsWith('|'); j++) {
      table.rows.push({ line: j + 1, names: namesIn(cells(lines[j]!)[0] ?? '') });
    }
    tables.push(table);
    i += 1 + table.rows.length;
  }
  return tables;
}

/**
 * What each op table says:
 * - 'all': every op of core's records, kernel and composite (the Context's op list)
 * - 'kernels': every kernel op, and no composite (what a backend implementing the whole interface has)
 * - 'some': a selection (every name must be an op)
 * - 'remaining': CONTRIBUTING's "remaining ops": with the ops the walkthrough writes, every kernel op once
 */
type TableKind = 'all' | 'kernels' | 'some' | 'remaining';
interface DocSpec {
  file: string;
  tables: TableKind[];
  /** The doc lists every kernel op in prose: "every op of the `KernelBackend` interface (gemm, ...)". */
  prose?: boolean;
  /** Backticked first-cell names of rows that are no op (e.g. `read()`). */
  notOps?: string[];
}

const DOCS: DocSpec[] = [
  { file: 'packages/core/README.md', tables: ['all'] },
  { file: 'packages/conformance/golden/FORMAT.md', tables: ['all'] },
  { file: 'packages/backend-js/README.md', tables: [], prose: true },
  { file: 'packages/backend-wasm/README.md', tables: ['kernels'] },
  { file: 'packages/backend-workers/README.md', tables: ['kernels', 'some'] },
  { file: 'packages/backend-gpujs/README.md', tables: ['some'], prose: true, notOps: ['read'] },
  { file: 'packages/reliability/README.md', tables: ['some'] },
  { file: 'CONTRIBUTING.md', tables: ['remaining'] },
];

const read = (f: string) => readFileSync(join(repo, f), 'utf8');
const fmt = (names: Iterable<string>) => [...names].sort().join(', ') || '(none)';

/** The markdown docs of the repository a reader sees (not generated API docs, changelogs or dependencies). */
function markdownDocs(): string[] {
  const out = ['README.md', 'CONTRIBUTING.md'].filter((f) => existsSync(join(repo, f)));
  const walk = (dir: string, depth: number) => {
    for (const e of readdirSync(join(repo, dir), { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (depth > 0 && !['node_modules', 'dist', 'api', 'results', '.turbo'].includes(e.name)) walk(p, depth - 1);
      } else if (e.name.endsWith('.md') && e.name !== 'CHANGELOG.md') out.push(p);
    }
  };
  for (const top of ['packages', 'tools', 'apps', 'examples', 'docs']) if (existsSync(join(repo, top))) walk(top, 2);
  return out;
}

describe("the docs' op tables agree with core's op records", () => {
  it('the table parser reads names from backticked first cells only', () => {
    expect(namesIn("`gemm(a, b, {transA, c})`")).toEqual(['gemm']);
    expect(namesIn('`relu`, `reluBackward(x, dy)`')).toEqual(['relu', 'reluBackward']);
    expect(namesIn("`conv2d` (convAlgorithm `'auto'`)")).toEqual(['conv2d']);
    expect(namesIn('replicate / circular / reflect padding')).toEqual([]);
    const t = opTables('text\n\n| op | what |\n|---|---|\n| `a` / `b` | x \\| y |\n| c | `d` |\n\n```\n| op | x |\n|---|---|\n| `e` | |\n```\n');
    expect(t).toHaveLength(1);
    expect(t[0]!.rows.map((r) => r.names)).toEqual([['a', 'b'], []]);
  });

  it('an op table in any other doc names only ops (e.g. a scaffolded backend README)', () => {
    const listed = new Set(DOCS.map((d) => d.file));
    const others = markdownDocs().filter((f) => !listed.has(f));
    expect(others.length).toBeGreaterThan(0);
    for (const f of others) {
      for (const t of opTables(read(f))) {
        for (const r of t.rows) for (const n of r.names) expect(ALL, `${f}:${r.line}: '${n}' is no op of core's records`).toContain(n);
      }
    }
  });

  for (const doc of DOCS) {
    it(doc.file, () => {
      const md = read(doc.file);
      const tables = opTables(md);
      expect(tables.map((t) => `line ${t.line}`), `${doc.file}: op tables`).toHaveLength(doc.tables.length);
      const notOps = new Set(doc.notOps ?? []);
      for (const [i, kind] of doc.tables.entries()) {
        const t = tables[i]!;
        const where = `${doc.file}:${t.line} (op table ${i + 1}, ${kind})`;
        const named: string[] = [];
        for (const r of t.rows) {
          for (const n of r.names) {
            if (notOps.has(n)) continue;
            expect(ALL, `${doc.file}:${r.line}: '${n}' is no op of core's records (ops: ${ALL.join(', ')})`).toContain(n);
            named.push(n);
          }
        }
        const set = new Set(named);
        if (kind === 'all') {
          expect(fmt(set), `${where}: names every op, kernel and composite`).toBe(fmt(ALL));
        } else if (kind === 'kernels') {
          expect(fmt(set), `${where}: names every kernel op and no composite`).toBe(fmt(KERNELS));
        } else if (kind === 'remaining') {
          // the ops the walkthrough writes (```ts file=src/ops/<op>.ts blocks), then the table: every kernel op once
          const written = [...md.matchAll(/```ts file=src\/ops\/(\w+)\.ts\n/g)].map((m) => m[1]!);
          expect(written.length, `${doc.file}: the walkthrough's op files`).toBeGreaterThan(0);
          for (const n of written) expect(set.has(n), `${where}: ${n} is written in the walkthrough and listed as remaining`).toBe(false);
          expect(fmt([...written, ...set]), `${where}: with the walkthrough's ops, every kernel op`).toBe(fmt(KERNELS));
          for (const n of set) expect(KERNELS, `${where}: ${n} is a composite op (core builds it)`).toContain(n);
        } else {
          expect(set.size, `${where}: names at least one op`).toBeGreaterThan(0);
        }
      }
      if (doc.prose) {
        const m = /every\s+op\s+of\s+the\s+`KernelBackend`\s+interface\s+\(([^)]*)\)/.exec(md);
        expect(m, `${doc.file}: the sentence "every op of the \`KernelBackend\` interface (...)"`).not.toBeNull();
        const listed = m![1]!.split(',').map((s) => s.trim());
        expect(listed, `${doc.file}: its list of every op, in the interface's order`).toEqual([...KERNELS]);
      }
    });
  }
});
