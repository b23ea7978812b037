import { loadUwnet, findUwnetDir } from '@convkit/reference';
import type { CaseEnv } from './cases.js';

/** Golden data from ../shared/golden/uwnet (via @convkit/reference's finder), or null. */
export const nodeEnv: CaseEnv = {
  async golden(name) {
    return loadUwnet(name);
  },
};

export function goldenDir(): string | null {
  return findUwnetDir();
}
