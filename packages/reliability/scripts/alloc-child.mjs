// Child process of faults.test.ts: on one target, asks for zeros([2^31 - 1]) (8 GiB of float32),
// which the parent makes impossible with `ulimit -v`, then checks that the next op still works.
// Prints one JSON line. Uses the built package (dist/), as CI runs tests after the build.
import { load, TARGETS } from '../dist/backends.js';

const [id, capFlag] = process.argv.slice(2);
const out = { target: id, capped: capFlag === 'capped', phase: 'start', ok: false };
const done = (o) => {
  console.log(JSON.stringify({ ...out, ...o }));
  process.exit(0);
};
const t = TARGETS.find((x) => x.id === id);
if (!t) done({ why: `unknown target ${id}` });
const l = await load(t);
if (l.skip) done({ why: l.skip });
let ctx;
try {
  ctx = await l.make();
  const a = ctx.tensor([1, 2, 3, 4], [2, 2]);
  await (await ctx.gemm(a, a)).read();
} catch (e) {
  done({ why: `could not start: ${e?.message ?? e}` });
}
out.phase = 'alloc';
let errorClass = null;
let message = null;
try {
  const z = ctx.zeros([2 ** 31 - 1]);
  z.dispose();
} catch (e) {
  errorClass = e?.constructor?.name ?? typeof e;
  message = String(e?.message ?? e).slice(0, 400);
}
if (!errorClass) done({ why: 'zeros([2^31 - 1]) succeeded: the allocation did not fail' });
out.phase = 'next';
let nextOpOk = false;
try {
  const a = ctx.tensor([1, 2, 3, 4], [2, 2]);
  const y = await ctx.gemm(a, a);
  nextOpOk = Array.from(await y.read()).join() === '7,10,15,22';
  a.dispose();
  y.dispose();
} catch (e) {
  message += ` | next op failed: ${e?.message ?? e}`;
}
try {
  await ctx.dispose();
} catch {}
done({ ok: nextOpOk && (errorClass === 'ShapeOverflowError' || errorClass === 'BackendExecutionError'), errorClass, message, nextOpOk });
