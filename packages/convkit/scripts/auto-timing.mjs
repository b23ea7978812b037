// Measures createContext({ backend: 'auto' }) through convkit with every installed backend
// registered, in fresh processes (nothing cached): the import of convkit, registerAll, each
// descriptor's probe alone, and the whole 'auto' call. Not a test: prints medians.
//   node scripts/auto-timing.mjs [runs=5]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { positionals } = parseArgs({ allowPositionals: true });
const runs = Number(positionals[0] ?? 5);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`runs must be an integer >= 1, got ${positionals[0]}`);
  process.exit(2);
}
const cwd = fileURLToPath(new URL('..', import.meta.url));

const CHILD = `
const t0 = performance.now();
const ck = await import('convkit');
const t1 = performance.now();
const mode = process.argv[1];
const out = { import: t1 - t0 };
if (mode === 'auto') {
  const ctx = await ck.createContext({ backend: 'auto' });
  out.auto = performance.now() - t1;
  out.chosen = ctx.backendName;
  await ctx.dispose();
} else {
  const reg = new ck.Registry();
  const r = await ck.registerAll(reg);
  const t2 = performance.now();
  out.registerAll = t2 - t1;
  const d = (await import(r.find((i) => i.name === mode).package))[mode + 'Backend'];
  const t3 = performance.now();
  const p = await d.probe();
  out.probe = performance.now() - t3;
  out.available = p.available;
}
console.log(JSON.stringify(out));
`;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
for (const mode of ['auto', 'js', 'wasm', 'workers', 'gpujs']) {
  const rows = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, mode], { cwd, encoding: 'utf8' });
    const line = r.stdout.trim().split('\n').pop();
    if (r.status !== 0 || !line?.startsWith('{')) {
      console.error(`${mode}: exit ${r.status}\n${r.stderr.slice(-2000)}`);
      process.exit(1);
    }
    rows.push(JSON.parse(line));
  }
  const f = (k) => (rows[0][k] === undefined ? '' : ` ${k} ${median(rows.map((r) => r[k])).toFixed(0)} ms [${rows.map((r) => r[k].toFixed(0)).join(', ')}]`);
  console.log(`${mode.padEnd(8)} (${runs} runs)${f('import')}${f('registerAll')}${f('probe')}${f('auto')}${rows[0].chosen ? ` chose ${rows[0].chosen}` : ''}${rows[0].available !== undefined ? ` available ${rows[0].available}` : ''}`);
}
