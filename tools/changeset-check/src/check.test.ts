import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkChangesets, EMPTY_TREE, isUserFacing, parseChangeset, readChangesets, workspacePackages } from './check.js';

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = resolve(here, '..');
const repoRoot = resolve(pkgDir, '../..');
const cli = join(pkgDir, 'dist', 'cli.js');

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
};
// The env the check sees: never the caller's CHANGESET_BASE.
const CLEAN_ENV = { ...GIT_ENV, CHANGESET_BASE: '' };

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function write(root: string, rel: string, text: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}

const pkgJson = (name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name, version: '0.1.0', files: ['dist', 'README.md'], ...extra }, null, 2) + '\n';

/** A workspace: two public packages, one private tool, one committed changeset-free state. */
function fixture(): string {
  const root = mkdtempSync(join(tmpdir(), 'changeset-check-'));
  temps.push(root);
  write(root, 'package.json', JSON.stringify({ name: 'root', private: true }) + '\n');
  write(root, 'pnpm-workspace.yaml', 'packages:\n  - "packages/*"\n  - "tools/*"\n');
  write(root, '.changeset/config.json', JSON.stringify({ baseBranch: 'main', access: 'public' }) + '\n');
  write(root, '.changeset/README.md', '# changesets\n');
  write(root, 'packages/a/package.json', pkgJson('@x/a'));
  write(root, 'packages/a/src/index.ts', 'export const a = 1;\n');
  write(root, 'packages/b/package.json', pkgJson('@x/b'));
  write(root, 'packages/b/src/index.ts', 'export const b = 1;\n');
  write(root, 'tools/t/package.json', pkgJson('@x/t', { private: true }));
  write(root, 'tools/t/src/index.ts', 'export const t = 1;\n');
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'first');
  return root;
}

const changeset = (pkgs: Record<string, string>, summary = 'A change users can read about.') =>
  `---\n${Object.entries(pkgs)
    .map(([n, t]) => `"${n}": ${t}`)
    .join('\n')}\n---\n\n${summary}\n`;

describe('parsing', () => {
  it('reads quoted and bare names, bump types and the summary', () => {
    const cs = parseChangeset('x.md', `---\n"@x/a": minor\n'@x/b': patch\nplain: major\n---\n\nDid a thing.\n`);
    expect(cs.releases).toEqual([
      { name: '@x/a', type: 'minor' },
      { name: '@x/b', type: 'patch' },
      { name: 'plain', type: 'major' },
    ]);
    expect(cs.summary).toBe('Did a thing.');
  });

  it('rejects a bad bump type and a file without front matter', () => {
    expect(() => parseChangeset('x.md', `---\n"@x/a": huge\n---\n\nx\n`)).toThrow(/bump type 'huge'/);
    expect(() => parseChangeset('x.md', 'just text\n')).toThrow(/no front matter/);
  });

  it('classifies user-facing files', () => {
    const files = ['dist', 'README.md', 'KERNELS.md'];
    expect(isUserFacing('src/ops/relu.ts', { files })).toBe(true);
    expect(isUserFacing('package.json', { files })).toBe(true);
    expect(isUserFacing('tsconfig.build.json', { files })).toBe(true);
    expect(isUserFacing('README.md', { files })).toBe(true);
    expect(isUserFacing('KERNELS.md', { files })).toBe(true);
    expect(isUserFacing('src/ops/relu.test.ts', { files })).toBe(false);
    expect(isUserFacing('src/test/helpers.ts', { files })).toBe(false);
    expect(isUserFacing('test/browser.spec.ts', { files })).toBe(false);
    expect(isUserFacing('vitest.config.ts', { files })).toBe(false);
    expect(isUserFacing('scripts/speed.mjs', { files })).toBe(false);
  });
});

describe('changeset-check on throwaway repositories', () => {
  it('single commit, clean tree: nothing changed, passes', () => {
    const root = fixture();
    const r = checkChangesets({ root, env: CLEAN_ENV });
    expect(r.baseReason).toMatch(/first \(and only\) commit/);
    expect(r.changed).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('single commit: an uncommitted source change needs a changeset naming that package', () => {
    const root = fixture();
    write(root, 'packages/a/src/index.ts', 'export const a = 2;\n');
    write(root, 'packages/a/src/new.ts', 'export const n = 1;\n'); // untracked counts too
    let r = checkChangesets({ root, env: CLEAN_ENV });
    expect(r.ok).toBe(false);
    expect(r.changed.map((c) => [c.name, c.ok, c.files])).toEqual([['@x/a', false, ['src/index.ts', 'src/new.ts']]]);

    // a changeset naming another package does not help
    write(root, '.changeset/b-thing.md', changeset({ '@x/b': 'patch' }));
    expect(checkChangesets({ root, env: CLEAN_ENV }).ok).toBe(false);

    write(root, '.changeset/a-thing.md', changeset({ '@x/a': 'minor' }));
    r = checkChangesets({ root, env: CLEAN_ENV });
    expect(r.ok).toBe(true);
    expect(r.changed[0]!.changesets).toEqual(['a-thing.md']);
  });

  it('test-only changes and private packages need no changeset', () => {
    const root = fixture();
    write(root, 'packages/a/src/index.test.ts', 'test\n');
    write(root, 'packages/b/vitest.config.ts', 'x\n');
    write(root, 'tools/t/src/index.ts', 'export const t = 2;\n');
    const r = checkChangesets({ root, env: CLEAN_ENV });
    expect(r.changed).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('a changeset naming a private or unknown package, or without a summary, is an error', () => {
    const root = fixture();
    write(root, '.changeset/t.md', changeset({ '@x/t': 'minor' }));
    write(root, '.changeset/nope.md', changeset({ '@x/nope': 'minor' }));
    write(root, '.changeset/empty-summary.md', `---\n"@x/a": patch\n---\n`);
    const r = checkChangesets({ root, env: CLEAN_ENV });
    expect(r.ok).toBe(false);
    expect(r.errors.join('\n')).toMatch(/t\.md: names @x\/t, which is private/);
    expect(r.errors.join('\n')).toMatch(/nope\.md: names @x\/nope, which is not a package/);
    expect(r.errors.join('\n')).toMatch(/empty-summary\.md: has no summary/);
  });

  it('on a feature branch, the base is the merge base with main: only the branch commits count', () => {
    const root = fixture();
    write(root, 'packages/b/src/index.ts', 'export const b = 2;\n');
    write(root, '.changeset/b.md', changeset({ '@x/b': 'patch' }));
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'b on main');
    // the changeset is consumed on main (a release), b's change is now history
    rmSync(join(root, '.changeset/b.md'));
    write(root, 'packages/b/package.json', pkgJson('@x/b', { version: '0.1.1' }));
    git(root, 'commit', '-q', '-am', 'release');
    const mainHead = git(root, 'rev-parse', 'HEAD');
    git(root, 'checkout', '-q', '-b', 'feature');
    write(root, 'packages/a/src/index.ts', 'export const a = 3;\n');
    git(root, 'commit', '-q', '-am', 'a on feature');

    let r = checkChangesets({ root, env: CLEAN_ENV });
    expect(r.base).toBe(mainHead);
    expect(r.baseReason).toMatch(/merge base of HEAD and main/);
    expect(r.changed.map((c) => c.name)).toEqual(['@x/a']);
    expect(r.ok).toBe(false);

    // CHANGESET_BASE overrides: from the first commit, b changed too, but b was released (version bumped)
    const first = git(root, 'rev-list', '--max-parents=0', 'HEAD');
    write(root, '.changeset/a.md', changeset({ '@x/a': 'minor' }));
    r = checkChangesets({ root, env: { ...CLEAN_ENV, CHANGESET_BASE: first } });
    expect(r.base).toBe(first);
    expect(r.changed.map((c) => [c.name, c.ok, c.released])).toEqual([
      ['@x/a', true, false],
      ['@x/b', true, true],
    ]);
    expect(r.ok).toBe(true);
  });

  it('on main itself (nothing to merge-base against), the base is the first commit', () => {
    const root = fixture();
    const first = git(root, 'rev-parse', 'HEAD');
    write(root, 'packages/b/src/index.ts', 'export const b = 5;\n');
    git(root, 'commit', '-q', '-am', 'b');
    const r = checkChangesets({ root, env: CLEAN_ENV });
    expect(r.base).toBe(first);
    expect(r.changed.map((c) => [c.name, c.ok])).toEqual([['@x/b', false]]);
  });

  it('a repository without commits compares against the empty tree', () => {
    const root = mkdtempSync(join(tmpdir(), 'changeset-check-'));
    temps.push(root);
    write(root, 'pnpm-workspace.yaml', 'packages:\n  - "packages/*"\n');
    write(root, 'packages/a/package.json', pkgJson('@x/a'));
    write(root, 'packages/a/src/index.ts', 'x\n');
    git(root, 'init', '-q', '-b', 'main');
    const r = checkChangesets({ root, env: CLEAN_ENV });
    expect(r.base).toBe(EMPTY_TREE);
    expect(r.changed.map((c) => c.name)).toEqual(['@x/a']);
  });

  it('the CLI exits 1 with the missing package and a changeset to copy, 0 once it exists', () => {
    const root = fixture();
    write(root, 'packages/b/README.md', '# b, better\n');
    let p = spawnSync(process.execPath, [cli, '--root', root], { env: CLEAN_ENV, encoding: 'utf8' });
    expect(p.status).toBe(1);
    expect(p.stdout).toMatch(/MISSING @x\/b \(packages\/b: README\.md\): NO CHANGESET/);
    expect(p.stdout).toMatch(/"@x\/b": minor/);
    write(root, '.changeset/b-readme.md', changeset({ '@x/b': 'patch' }));
    p = spawnSync(process.execPath, [cli, '--root', root], { env: CLEAN_ENV, encoding: 'utf8' });
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/ok {6}@x\/b .*named by b-readme\.md/);
    p = spawnSync(process.execPath, [cli, '--root', root, '--base', 'no-such-ref'], { env: CLEAN_ENV, encoding: 'utf8' });
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/base 'no-such-ref' is not a commit/);
  });
});

describe('this repository', () => {
  it('every changeset in .changeset/ parses and names a public workspace package', () => {
    const { changesets, errors } = readChangesets(repoRoot);
    const pkgs = new Map(workspacePackages(repoRoot).map((p) => [p.name, p]));
    expect(errors).toEqual([]);
    for (const cs of changesets) {
      for (const r of cs.releases) {
        expect(pkgs.get(r.name), `${cs.file} names ${r.name}`).toBeDefined();
        expect(pkgs.get(r.name)!.private, `${cs.file} names private ${r.name}`).toBe(false);
      }
      expect(cs.summary.length, `${cs.file} summary`).toBeGreaterThan(0);
    }
  });

  it('`changeset version` works on a temp copy: bumps what the changesets name, writes changelogs, leaves private packages', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'changeset-version-'));
    temps.push(tmp);
    // What `changeset version` reads: the root manifest, the workspace file, .changeset/ and every
    // package's package.json (a copy, so the real tree keeps its versions and changesets).
    for (const f of ['package.json', 'pnpm-workspace.yaml']) cpSync(join(repoRoot, f), join(tmp, f));
    cpSync(join(repoRoot, '.changeset'), join(tmp, '.changeset'), { recursive: true });
    const pkgs = workspacePackages(repoRoot);
    for (const p of pkgs) cpSync(join(repoRoot, p.dir, 'package.json'), join(tmp, p.dir, 'package.json'));
    git(tmp, 'init', '-q', '-b', 'main');
    git(tmp, 'add', '-A');
    git(tmp, 'commit', '-q', '-m', 'snapshot');

    const { changesets } = readChangesets(tmp);
    const rank = { none: 0, patch: 1, minor: 2, major: 3 } as const;
    const want = new Map<string, number>();
    for (const cs of changesets) for (const r of cs.releases) want.set(r.name, Math.max(want.get(r.name) ?? 0, rank[r.type]));

    const bin = join(pkgDir, 'node_modules', '.bin', process.platform === 'win32' ? 'changeset.cmd' : 'changeset');
    const run = spawnSync(bin, ['version'], { cwd: tmp, env: GIT_ENV, encoding: 'utf8' });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);

    // every changeset consumed
    expect(readdirSync(join(tmp, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')).toEqual([]);
    const bump = (v: string, level: number) => {
      const [ma, mi, pa] = v.split('.').map(Number) as [number, number, number];
      // 0.x: changesets bumps as written (a minor goes 0.1.0 -> 0.2.0)
      return level === 3 ? `${ma + 1}.0.0` : level === 2 ? `${ma}.${mi + 1}.0` : level === 1 ? `${ma}.${mi}.${pa + 1}` : v;
    };
    for (const p of pkgs) {
      const after = JSON.parse(readFileSync(join(tmp, p.dir, 'package.json'), 'utf8')) as { version: string };
      if (p.private) {
        expect(after.version, `${p.name} is private`).toBe(p.version);
        expect(existsSync(join(tmp, p.dir, 'CHANGELOG.md'))).toBe(false);
        continue;
      }
      const level = want.get(p.name);
      if (level) {
        expect(after.version, p.name).toBe(bump(p.version, level));
        const log = readFileSync(join(tmp, p.dir, 'CHANGELOG.md'), 'utf8');
        expect(log).toContain(`## ${after.version}`);
        for (const cs of changesets.filter((c) => c.releases.some((r) => r.name === p.name && r.type !== 'none'))) {
          expect(log, `${p.name} changelog has ${cs.file}`).toContain(cs.summary.split('\n')[0]!.slice(0, 40));
        }
      } else {
        // not named: unchanged, or a patch bump because a workspace dependency it has was bumped
        expect([p.version, bump(p.version, 1)]).toContain(after.version);
      }
    }
    // the real tree is untouched
    expect(readChangesets(repoRoot).changesets.length).toBe(changesets.length);
  });
});
