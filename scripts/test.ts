/**
 * `pnpm test [vitest arguments]`: make sure Chromium and a Vulkan driver for Node's WebGPU are
 * there (scripts/testSetup.ts installs them, or stops with one line saying what to install),
 * then run `vitest run` with VK_DRIVER_FILES pointing at the driver.
 */
import { spawn } from 'node:child_process';
import { apply, plan, probe } from './testSetup.ts';

let vkDriverFiles: string;
try {
  vkDriverFiles = apply(plan(probe()));
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
const vitest = spawn('vitest', ['run', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, VK_DRIVER_FILES: vkDriverFiles },
});
vitest.on('error', (e) => {
  console.error(`pnpm test: could not start vitest (${e.message}); run pnpm install first.`);
  process.exit(1);
});
vitest.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
