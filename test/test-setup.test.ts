import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAVAPIPE_DIR, type Probe, plan } from '../scripts/testSetup.ts';

/** `pnpm test`'s first step (scripts/testSetup.ts): what it installs, or the one line it stops with. */
const ready: Probe = { hasChromium: true, hasVkDriverFiles: false, hasLavapipe: true, hasMesa: true, root: false, apt: true };
const LAVAPIPE_ICD = join(LAVAPIPE_DIR, 'lvp_icd.json');

function errorOf(probe: Probe): string {
  const p = plan(probe);
  if (!('error' in p)) throw new Error(`expected an error, got ${JSON.stringify(p)}`);
  expect(p.error).not.toContain('\n');
  return p.error;
}

describe('pnpm test setup', () => {
  it('installs nothing on a machine that has everything, and points VK_DRIVER_FILES at lavapipe 25', () => {
    expect(plan(ready)).toEqual({ steps: [], vkDriverFiles: LAVAPIPE_ICD });
  });

  it('keeps a VK_DRIVER_FILES the user set, and then needs neither Mesa nor lavapipe', () => {
    expect(
      plan({ ...ready, vkDriverFiles: '/gpu/icd.json', hasVkDriverFiles: true, hasMesa: false, hasLavapipe: false, apt: false }),
    ).toEqual({ steps: [], vkDriverFiles: '/gpu/icd.json' });
  });

  it('as root with apt-get, installs what is missing and unpacks lavapipe', () => {
    expect(plan({ ...ready, root: true, hasChromium: false, hasMesa: false, hasLavapipe: false })).toEqual({
      steps: [{ kind: 'apt-install', packages: ['chromium', 'mesa-vulkan-drivers'] }, { kind: 'unpack-lavapipe' }],
      vkDriverFiles: LAVAPIPE_ICD,
    });
    expect(plan({ ...ready, root: true, hasChromium: false })).toEqual({
      steps: [{ kind: 'apt-install', packages: ['chromium'] }],
      vkDriverFiles: LAVAPIPE_ICD,
    });
  });

  it('unpacks lavapipe without root (apt-get download needs none) when Mesa is installed', () => {
    expect(plan({ ...ready, hasLavapipe: false })).toEqual({ steps: [{ kind: 'unpack-lavapipe' }], vkDriverFiles: LAVAPIPE_ICD });
  });

  it('without root, stops at once with the apt-get line for exactly what is missing', () => {
    const chromium = errorOf({ ...ready, hasChromium: false });
    expect(chromium).toContain('`sudo apt-get install -y chromium`');
    expect(chromium).toContain('CHROMIUM_PATH');
    const both = errorOf({ ...ready, hasChromium: false, hasMesa: false, hasLavapipe: false });
    expect(both).toContain('`sudo apt-get install -y chromium mesa-vulkan-drivers`');
    const mesa = errorOf({ ...ready, hasMesa: false });
    expect(mesa).toContain('`sudo apt-get install -y mesa-vulkan-drivers`');
    expect(mesa).toContain('VK_DRIVER_FILES');
    // Root alone is not enough: without apt-get nothing is installed.
    expect(errorOf({ ...ready, root: true, apt: false, hasChromium: false })).toContain('sudo apt-get install -y chromium');
  });

  it('without apt-get and a driver, asks for VK_DRIVER_FILES', () => {
    expect(errorOf({ ...ready, apt: false, hasLavapipe: false })).toMatch(/set VK_DRIVER_FILES/);
  });

  it('names a CHROMIUM_PATH or VK_DRIVER_FILES that points nowhere, and installs nothing in its place', () => {
    expect(errorOf({ ...ready, root: true, chromiumPath: '/opt/chrome/chrome', hasChromium: false })).toContain(
      'CHROMIUM_PATH=/opt/chrome/chrome',
    );
    expect(errorOf({ ...ready, root: true, vkDriverFiles: '/nope.json', hasVkDriverFiles: false })).toContain('VK_DRIVER_FILES=/nope.json');
  });
});
