/**
 * A PNG decoder in plain TypeScript (inflate by the platform's DecompressionStream), so that a PNG
 * gives the same pixels in Node and in every browser: the stored samples, as Pillow reads them,
 * with no colour management (gAMA, cHRM, sRGB and iCCP are ignored, as Pillow ignores them).
 * Every colour type, bit depth and Adam7 interlacing. Output, as Pillow's `convert('RGB')` would
 * see it: grey → 1 value a pixel (1-, 2- and 4-bit scaled to 0–255), RGB and palette → 3, grey +
 * alpha → 4 (the grey repeated, then alpha), RGBA → 4. 16-bit samples keep their high byte, as
 * Pillow does for RGB, RGBA and grey + alpha (for 16-bit grey Pillow clips at 255 instead).
 * tRNS is ignored, as `convert('RGB')` ignores it. CRCs are not checked.
 */
import type { Pixels8 } from './pixels.ts';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether the bytes start with the PNG signature. */
export const isPng = (bytes: Uint8Array): boolean => bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);

/** Samples a pixel by colour type, and the bit depths allowed. */
const COLOR_TYPES: Record<number, { samples: number; depths: number[] }> = {
  0: { samples: 1, depths: [1, 2, 4, 8, 16] },
  2: { samples: 3, depths: [8, 16] },
  3: { samples: 1, depths: [1, 2, 4, 8] },
  4: { samples: 2, depths: [8, 16] },
  6: { samples: 4, depths: [8, 16] },
};

/** Adam7 passes: [x0, y0, dx, dy]; a non-interlaced image is the one pass [0, 0, 1, 1]. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

async function inflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const paeth = (a: number, b: number, c: number) => {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

/** The rows of one pass starting at `at`, filters undone; `bpp` bytes a pixel (at least 1). */
function unfilter(raw: Uint8Array, at: number, rows: number, rowBytes: number, bpp: number): Uint8Array {
  const out = new Uint8Array(rows * rowBytes);
  for (let y = 0; y < rows; y++) {
    const type = raw[at + y * (rowBytes + 1)]!;
    const src = at + y * (rowBytes + 1) + 1;
    const row = y * rowBytes;
    for (let x = 0; x < rowBytes; x++) {
      const a = x >= bpp ? out[row + x - bpp]! : 0;
      const b = y > 0 ? out[row - rowBytes + x]! : 0;
      const c = x >= bpp && y > 0 ? out[row - rowBytes + x - bpp]! : 0;
      const predictor = type === 0 ? 0 : type === 1 ? a : type === 2 ? b : type === 3 ? (a + b) >> 1 : type === 4 ? paeth(a, b, c) : -1;
      if (predictor < 0) throw new Error(`PNG: unknown filter type ${type}`);
      out[row + x] = (raw[src + x]! + predictor) & 0xff;
    }
  }
  return out;
}

/** Decode a PNG file's bytes (see the module comment for what comes out). */
export async function decodePng(bytes: Uint8Array): Promise<Pixels8> {
  if (!isPng(bytes)) throw new Error('not a PNG file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: { width: number; height: number; depth: number; colorType: number; interlace: number } | undefined;
  let palette: Uint8Array = new Uint8Array(0);
  const idat: Uint8Array[] = [];
  for (let pos = 8; pos + 8 <= bytes.length; pos += 12 + view.getUint32(pos)) {
    const [length, start] = [view.getUint32(pos), pos + 8];
    const type = String.fromCharCode(...bytes.subarray(pos + 4, start));
    const body = bytes.subarray(start, start + length);
    if (body.length < length) throw new Error(`PNG: chunk ${type} is truncated`);
    if (type === 'IHDR' && length >= 13)
      header = {
        width: view.getUint32(start),
        height: view.getUint32(start + 4),
        depth: body[8]!,
        colorType: body[9]!,
        interlace: body[12]!,
      };
    else if (type === 'PLTE') palette = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
  }
  if (!header) throw new Error('PNG: no IHDR chunk');
  const { width, height, depth, colorType, interlace } = header;
  const kind = COLOR_TYPES[colorType];
  if (!kind?.depths.includes(depth)) throw new Error(`PNG: colour type ${colorType} with bit depth ${depth} is not valid`);
  if (width < 1 || height < 1) throw new Error(`PNG: ${width}×${height} pixels`);
  if (interlace > 1) throw new Error(`PNG: unknown interlace method ${interlace}`);
  if (colorType === 3 && palette.length === 0) throw new Error('PNG: palette image without PLTE');
  if (idat.length === 0) throw new Error('PNG: no IDAT chunk');

  const compressed = new Uint8Array(idat.reduce((n, c) => n + c.length, 0));
  idat.reduce((offset, c) => (compressed.set(c, offset), offset + c.length), 0);
  const raw = await inflate(compressed);
  const channels = colorType === 0 ? 1 : colorType === 2 || colorType === 3 ? 3 : 4;
  const out = new Uint8Array(width * height * channels);
  const bitsPerPixel = kind.samples * depth;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const scale = depth < 8 ? 255 / ((1 << depth) - 1) : 1;
  let at = 0;
  for (const [x0, y0, dx, dy] of interlace ? ADAM7 : ([[0, 0, 1, 1]] as const)) {
    const [w, h] = [Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy)];
    if (w <= 0 || h <= 0) continue;
    const rowBytes = Math.ceil((w * bitsPerPixel) / 8);
    if (raw.length < at + h * (rowBytes + 1)) throw new Error('PNG: image data is truncated');
    const rows = unfilter(raw, at, h, rowBytes, bpp);
    at += h * (rowBytes + 1);
    /** Sample s of pixel x in row y: its high byte (16-bit), or its bits (under 8). */
    const sample = (y: number, x: number, s: number) => {
      const bit = (x * kind.samples + s) * depth;
      const byte = rows[y * rowBytes + (bit >> 3)]!;
      return depth >= 8 ? byte : (byte >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
    };
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = ((y0 + y * dy) * width + x0 + x * dx) * channels;
        if (colorType === 3) {
          const i = sample(y, x, 0) * 3;
          for (let c = 0; c < 3; c++) out[o + c] = palette[i + c] ?? 0;
        } else if (colorType === 0) out[o] = Math.round(sample(y, x, 0) * scale);
        else if (colorType === 4) {
          out[o] = out[o + 1] = out[o + 2] = sample(y, x, 0);
          out[o + 3] = sample(y, x, 1);
        } else for (let c = 0; c < channels; c++) out[o + c] = sample(y, x, c);
      }
    }
  }
  return { data: out, width, height, channels };
}
