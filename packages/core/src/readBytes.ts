const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/**
 * The bytes of a file: in Node a path or file: URL is read from disk; anything else (and
 * everything in the browser) is fetched. Throws when it cannot be read.
 */
export async function readBytes(file: string | URL): Promise<Uint8Array> {
  const href = String(file);
  if (isNode && !/^(https?|data|blob):/i.test(href)) {
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(/^file:/i.test(href) ? new URL(href) : href));
  }
  const res = await fetch(file);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}
