/** The machine a report was measured on (Node only). */
import os from 'node:os';
import { execSync } from 'node:child_process';

export interface Machine {
  cpu: string;
  cores: number;
  availableParallelism: number;
  memoryGiB: number;
  node: string;
  v8: string;
  platform: string;
  /** 1/5/15-minute load averages at the start (and at the end) of the run: other processes share the cores */
  loadavg: number[];
  loadavgEnd?: number[];
  date: string;
  commit?: string;
}

export function machineInfo(): Machine {
  let commit: string | undefined;
  try {
    commit = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    commit = undefined;
  }
  return {
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown',
    cores: os.cpus().length,
    availableParallelism: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    date: new Date().toISOString(),
    commit,
  };
}

