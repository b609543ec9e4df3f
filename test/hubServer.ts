import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { MODELS } from './helpers.ts';

/**
 * A local stand-in for the Hugging Face hub: GET /{owner}/{name}/resolve/{revision}/{file}
 * serves {root}/{name}/{file} (any owner).
 */
export async function startHub(root = MODELS): Promise<{ url: string; close: () => Promise<void>; requests: string[] }> {
  const requests: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const m = /^\/(.+?)\/resolve\/[^/]+\/(.+)$/.exec(path);
    const file = m ? normalize(join(root, m[1]!.split('/').pop()!, m[2]!)) : undefined;
    if (!file?.startsWith(root)) {
      res.writeHead(404).end('not found');
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, requests, close: () => new Promise((r) => server.close(() => r())) };
}
