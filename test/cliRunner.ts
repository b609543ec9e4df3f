import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Run the CLI exactly as the contract says: `pnpm --silent glassbox explain ...`. */
export function glassbox(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return glassboxCommand('explain', args, env);
}

/** `pnpm --silent glassbox benchmark ...`. */
export const glassboxBenchmark = (args: string[], env: Record<string, string> = {}) => glassboxCommand('benchmark', args, env);

/** `pnpm --silent glassbox <command> ...`. */
export function glassboxCommand(
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnGlassbox(command, args, env);
    child.stdin.end();
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** `pnpm --silent glassbox <command> ...` as a running child process, for tests that write its stdin or read its stdout while it runs. */
export function spawnGlassbox(command: string, args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  return spawn('pnpm', ['--silent', 'glassbox', command, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
}
