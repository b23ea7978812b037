/** A minimal loss chart on a 2-D canvas: raw losses (light) and a moving average (dark). */
export function drawLossChart(canvas: HTMLCanvasElement, losses: readonly number[], totalSteps: number): void {
  const g = canvas.getContext('2d')!;
  const W = canvas.width;
  const H = canvas.height;
  const m = { l: 48, r: 12, t: 12, b: 28 };
  g.clearRect(0, 0, W, H);
  g.fillStyle = '#fff';
  g.fillRect(0, 0, W, H);
  const yMax = Math.max(2.5, ...losses.filter(Number.isFinite));
  const X = (i: number) => m.l + (i / Math.max(1, totalSteps - 1)) * (W - m.l - m.r);
  const Y = (v: number) => H - m.b - (v / yMax) * (H - m.t - m.b);
  g.strokeStyle = '#eee';
  g.fillStyle = '#555';
  g.font = '11px sans-serif';
  for (let k = 0; k <= 5; k++) {
    const v = (yMax * k) / 5;
    g.beginPath();
    g.moveTo(m.l, Y(v));
    g.lineTo(W - m.r, Y(v));
    g.stroke();
    g.fillText(v.toFixed(2), 6, Y(v) + 4);
  }
  g.fillText('step', W / 2, H - 6);
  g.fillText(String(totalSteps), W - m.r - 20, H - 12);
  g.strokeStyle = '#000';
  g.beginPath();
  g.moveTo(m.l, m.t);
  g.lineTo(m.l, H - m.b);
  g.lineTo(W - m.r, H - m.b);
  g.stroke();
  const line = (vals: readonly number[], color: string, width: number) => {
    if (!vals.length) return;
    g.strokeStyle = color;
    g.lineWidth = width;
    g.beginPath();
    vals.forEach((v, i) => (i ? g.lineTo(X(i), Y(v)) : g.moveTo(X(i), Y(v))));
    g.stroke();
    g.lineWidth = 1;
  };
  line(losses, '#9ecae1', 1);
  const avg: number[] = [];
  let s = 0;
  const w = 5;
  losses.forEach((v, i) => {
    s += v;
    if (i >= w) s -= losses[i - w]!;
    avg.push(s / Math.min(i + 1, w));
  });
  line(avg, '#08519c', 2);
}
