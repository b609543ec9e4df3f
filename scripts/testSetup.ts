/**
 * What `pnpm test` needs besides node_modules: Chromium (the browser suites and the demo
 * tests; Debian's /usr/bin/chromium or CHROMIUM_PATH, never a downloaded browser) and a
 * Vulkan driver for Node's WebGPU (the `webgpu` package, Dawn): VK_DRIVER_FILES, or else
 * Mesa 25's lavapipe unpacked by scripts/lavapipe25.sh into ~/.cache/lavapipe25 (it needs
 * Debian's mesa-vulkan-drivers for its libraries). `plan` decides from what `probe` found;
 * `apply` installs with apt-get where it may (root) and returns the VK_DRIVER_FILES to use.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
export const LAVAPIPE_DIR = join(homedir(), '.cache/lavapipe25');
const LAVAPIPE_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'lavapipe25.sh');

export interface Probe {
  /** CHROMIUM_PATH, if set. */
  chromiumPath?: string;
  /** Whether CHROMIUM_PATH (else /usr/bin/chromium) is an executable file. */
  hasChromium: boolean;
  /** VK_DRIVER_FILES, if set. */
  vkDriverFiles?: string;
  /** Whether the file VK_DRIVER_FILES names exists. */
  hasVkDriverFiles: boolean;
  /** Whether LAVAPIPE_DIR already holds the unpacked driver. */
  hasLavapipe: boolean;
  /** Whether Debian's mesa-vulkan-drivers is installed (lavapipe 25's libraries). */
  hasMesa: boolean;
  root: boolean;
  apt: boolean;
}

export type Step = { kind: 'apt-install'; packages: string[] } | { kind: 'unpack-lavapipe' };
export type Plan = { steps: Step[]; vkDriverFiles: string } | { error: string };

/** What to install before the tests run, or the one line that says what the user must do. */
export function plan(p: Probe): Plan {
  if (p.chromiumPath !== undefined && !p.hasChromium) {
    return {
      error: `pnpm test: CHROMIUM_PATH=${p.chromiumPath} is not an executable file; point it at a Chromium binary, or unset it to use Debian's ${DEFAULT_CHROMIUM} (apt-get install chromium).`,
    };
  }
  if (p.vkDriverFiles !== undefined && !p.hasVkDriverFiles) {
    return {
      error: `pnpm test: VK_DRIVER_FILES=${p.vkDriverFiles} does not exist; point it at a Vulkan driver's ICD json, or unset it to use Mesa 25's lavapipe (scripts/lavapipe25.sh).`,
    };
  }
  const ownDriver = p.vkDriverFiles !== undefined;
  const packages: string[] = [];
  if (!p.hasChromium) packages.push('chromium');
  if (!ownDriver && !p.hasMesa) packages.push('mesa-vulkan-drivers');
  const steps: Step[] = [];
  if (packages.length > 0) {
    if (!(p.root && p.apt)) {
      const what = packages.map((name) => (name === 'chromium' ? 'Chromium' : "Mesa's Vulkan drivers")).join(' and ');
      return {
        error:
          `pnpm test needs ${what} (for the browser and Node WebGPU tests) and installs ${packages.length > 1 ? 'them' : 'it'} only as root with apt-get: ` +
          `run \`sudo apt-get install -y ${packages.join(' ')}\`, then pnpm test again` +
          (packages.includes('chromium')
            ? ' (or set CHROMIUM_PATH to a Chromium binary).'
            : ' (or set VK_DRIVER_FILES to a Vulkan driver).'),
      };
    }
    steps.push({ kind: 'apt-install', packages });
  }
  if (!ownDriver && !p.hasLavapipe) {
    if (!p.apt) {
      return {
        error: `pnpm test needs a Vulkan driver for Node's WebGPU tests: set VK_DRIVER_FILES to its ICD json (on Debian, scripts/lavapipe25.sh unpacks Mesa 25's lavapipe with apt-get).`,
      };
    }
    steps.push({ kind: 'unpack-lavapipe' });
  }
  return { steps, vkDriverFiles: p.vkDriverFiles ?? join(LAVAPIPE_DIR, 'lvp_icd.json') };
}

const succeeds = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** This machine, as `plan` sees it. */
export function probe(env: NodeJS.ProcessEnv = process.env): Probe {
  const chromiumPath = env.CHROMIUM_PATH || undefined;
  const vkDriverFiles = env.VK_DRIVER_FILES || undefined;
  return {
    chromiumPath,
    hasChromium: executable(chromiumPath ?? DEFAULT_CHROMIUM),
    vkDriverFiles,
    hasVkDriverFiles: vkDriverFiles !== undefined && existsSync(vkDriverFiles),
    hasLavapipe: existsSync(join(LAVAPIPE_DIR, 'lvp_icd.json')),
    hasMesa: succeeds('dpkg', ['-s', 'mesa-vulkan-drivers']),
    root: process.getuid?.() === 0,
    apt: succeeds('apt-get', ['--version']),
  };
}

function run(command: string, args: string[], what: string): void {
  const r = spawnSync(command, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0)
    throw new Error(`pnpm test: ${what} failed (${command} ${args.join(' ')} exited with ${r.status ?? r.signal}); see the lines above.`);
}

/** Carry out the plan; returns VK_DRIVER_FILES for the tests, or throws with the line to print. */
export function apply(p: Plan): string {
  if ('error' in p) throw new Error(p.error);
  for (const step of p.steps) {
    if (step.kind === 'apt-install') {
      console.error(`pnpm test: installing ${step.packages.join(' ')} with apt-get…`);
      run('apt-get', ['update', '-qq'], 'apt-get update');
      run('apt-get', ['install', '-y', '-qq', ...step.packages], `installing ${step.packages.join(' ')}`);
    } else {
      console.error(`pnpm test: unpacking Mesa 25's lavapipe into ${LAVAPIPE_DIR} (scripts/lavapipe25.sh)…`);
      run('bash', [LAVAPIPE_SCRIPT, LAVAPIPE_DIR], 'scripts/lavapipe25.sh');
    }
  }
  return p.vkDriverFiles;
}
