/** A progress bar on stderr (cli-progress on a TTY, one plain line per task otherwise). */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total: number, task: string): void;
  log(s: string): void;
  stop(): void;
}

export function makeProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY && !process.env.CI) {
    const bar = new cliProgress.SingleBar(
      { stream, format: 'bench [{bar}] {value}/{total} {task}', hideCursor: true, clearOnComplete: true, barsize: 30 },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total, task) {
        if (!started) {
          bar.start(total, done, { task });
          started = true;
        } else bar.update(done, { task });
      },
      log(s) {
        if (started) bar.stop();
        stream.write(`${s}\n`);
        started = false;
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  const t0 = Date.now();
  return {
    update(done, total, task) {
      const s = ((Date.now() - t0) / 1000).toFixed(0);
      stream.write(task === 'done' ? `[${done}/${total}] done in ${s}s\n` : `[${done + 1}/${total}] ${task} (${s}s)\n`);
    },
    log(s) {
      stream.write(`${s}\n`);
    },
    stop() {},
  };
}
