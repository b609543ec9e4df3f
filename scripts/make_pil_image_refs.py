#!/usr/bin/python3
"""Pillow reference numbers for Glassbox's image decoding and preprocessing (dev script; its output
is committed, the tests never run Python).

Needs Debian's Pillow and NumPy (apt-get install -y python3-pil python3-numpy; run /usr/bin/python3).
Writes, under test/fixtures/images/:

- png/*.png: small PNG files encoded here (standard library zlib, not Pillow's encoder): every
  colour type and bit depth, Adam7 interlacing, all five row filters, several IDAT chunks, gAMA.
- processors/<name>/preprocessor_config.json: image processor configurations beside the ViT
  fixture's: DeiT-style (resize, center crop), ConvNeXT-style (shortest edge / crop_pct), BiT-style
  (shortest edge, center crop), MobileViT-style (no normalisation, BGR), and a center crop larger
  than the resized image (zero padding) with NEAREST.
- pil-refs.json, byte arrays base64-encoded:
  decode[]:   {file, width, height, rgb}: Image.open(file).convert('RGB'), uint8 HWC.
  resize[]:   {file, width, height, resample, out}: Image.fromarray(<file as RGB, or L for a grey
              file>).resize((width, height), resample), uint8 HWC; up, down and mixed, each filter.
  pipeline[]: {file, processor, shape, pixel_values}: what transformers' image processors compute
              (convert('RGB') as its pipelines' load_image does, resize, center_crop, rescale,
              normalize, channel flip) with PIL and NumPy as transformers 4.30 does, float32 CHW.

    /usr/bin/python3 scripts/make_pil_image_refs.py
"""
import base64
import json
import random
import struct
import zlib
from pathlib import Path

import numpy as np
import PIL
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / 'test' / 'fixtures' / 'images'
VIT = ROOT / 'test' / 'fixtures' / 'models' / 'vit-fashion-tiny'
SAMPLES = ROOT / 'models' / 'samples'
IMAGENET = {'image_mean': [0.485, 0.456, 0.406], 'image_std': [0.229, 0.224, 0.225]}
PROCESSORS = {
    'deit': {'image_processor_type': 'DeiTImageProcessor', 'do_resize': True, 'size': {'height': 20, 'width': 20}, 'resample': 3,
             'do_center_crop': True, 'crop_size': {'height': 16, 'width': 16}, 'do_rescale': True, 'rescale_factor': 1 / 255,
             'do_normalize': True, **IMAGENET},
    'convnext': {'image_processor_type': 'ConvNextImageProcessor', 'do_resize': True, 'size': {'shortest_edge': 16}, 'crop_pct': 0.875,
                 'resample': 3, 'do_rescale': True, 'rescale_factor': 1 / 255, 'do_normalize': True, **IMAGENET},
    'bit': {'image_processor_type': 'BitImageProcessor', 'do_resize': True, 'size': {'shortest_edge': 18}, 'resample': 2,
            'do_center_crop': True, 'crop_size': {'height': 16, 'width': 16}, 'do_rescale': True, 'rescale_factor': 1 / 255,
            'do_normalize': True, 'do_convert_rgb': True, **IMAGENET},
    'mobilevit': {'image_processor_type': 'MobileViTImageProcessor', 'do_resize': True, 'size': {'shortest_edge': 18}, 'resample': 2,
                  'do_center_crop': True, 'crop_size': {'height': 16, 'width': 16}, 'do_rescale': True, 'rescale_factor': 1 / 255,
                  'do_flip_channel_order': True},
    'pad-nearest': {'image_processor_type': 'DeiTImageProcessor', 'do_resize': True, 'size': {'height': 13, 'width': 15}, 'resample': 0,
                    'do_center_crop': True, 'crop_size': {'height': 16, 'width': 16}, 'do_rescale': True, 'rescale_factor': 1 / 255,
                    'do_normalize': True, 'image_mean': [0.5, 0.5, 0.5], 'image_std': [0.5, 0.5, 0.5]},
}


def b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()


# ---- PNG files, encoded here

def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)


def pack_row(samples: list[int], depth: int) -> bytes:
    if depth == 16:
        return b''.join(struct.pack('>H', s) for s in samples)
    if depth == 8:
        return bytes(samples)
    bits = ''.join(format(s, f'0{depth}b') for s in samples)
    bits += '0' * (-len(bits) % 8)
    return bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))


def filter_row(kind: int, row: bytes, prev: bytes, bpp: int) -> bytes:
    out = bytearray()
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i] if prev else 0
        c = prev[i - bpp] if prev and i >= bpp else 0
        if kind == 0:
            p = 0
        elif kind == 1:
            p = a
        elif kind == 2:
            p = b
        elif kind == 3:
            p = (a + b) // 2
        else:
            q = a + b - c
            pa, pb, pc = abs(q - a), abs(q - b), abs(q - c)
            p = a if pa <= pb and pa <= pc else b if pb <= pc else c
        out.append((x - p) & 0xFF)
    return bytes([kind]) + bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
SAMPLES_PER_PIXEL = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def encode_png(pixels: list[list[list[int]]], color_type: int, depth: int, interlace=False, palette=None, trns=None,
               extra=b'', idats=1) -> bytes:
    height, width = len(pixels), len(pixels[0])
    bpp = max(1, SAMPLES_PER_PIXEL[color_type] * depth // 8)
    raw = b''
    for x0, y0, dx, dy in (ADAM7 if interlace else [(0, 0, 1, 1)]):
        prev = b''
        for n, y in enumerate(range(y0, height, dy)):
            row = pack_row([s for x in range(x0, width, dx) for s in pixels[y][x]], depth)
            if not row:
                continue
            raw += filter_row((n + y0 + x0) % 5, row, prev, bpp)
            prev = row
    data = zlib.compress(raw, 9)
    cut = [len(data) * i // idats for i in range(idats + 1)]
    ihdr = struct.pack('>IIBBBBB', width, height, depth, color_type, 0, 0, 1 if interlace else 0)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + extra + (chunk(b'PLTE', palette) if palette else b'')
            + (chunk(b'tRNS', trns) if trns else b'') + b''.join(chunk(b'IDAT', data[cut[i]:cut[i + 1]]) for i in range(idats))
            + chunk(b'IEND', b''))


def make_pngs() -> list[str]:
    rng = random.Random(13)
    (OUT / 'png').mkdir(parents=True, exist_ok=True)

    def img(w, h, samples, top):
        return [[[rng.randrange(top) for _ in range(samples)] for _ in range(w)] for _ in range(h)]

    palette = bytes(rng.randrange(256) for _ in range(3 * 200))
    gamma = chunk(b'gAMA', struct.pack('>I', 100000))  # gamma 1.0: a colour-managing decoder would change the pixels
    files = {
        'grey1.png': encode_png(img(13, 11, 1, 2), 0, 1),
        'grey2-interlaced.png': encode_png(img(13, 11, 1, 4), 0, 2, interlace=True),
        'grey4.png': encode_png(img(13, 11, 1, 16), 0, 4),
        'grey8-gamma.png': encode_png(img(13, 11, 1, 256), 0, 8, extra=gamma),
        'rgb8.png': encode_png(img(13, 11, 3, 256), 2, 8, idats=3),
        'rgb8-interlaced.png': encode_png(img(29, 31, 3, 256), 2, 8, interlace=True),
        'rgb16.png': encode_png(img(13, 11, 3, 65536), 2, 16),
        'palette1.png': encode_png(img(13, 11, 1, 2), 3, 1, palette=palette[:6]),
        'palette4-interlaced-trns.png': encode_png(img(13, 11, 1, 16), 3, 4, interlace=True, palette=palette[:48], trns=bytes(range(0, 160, 10))),
        'palette8.png': encode_png(img(13, 11, 1, 200), 3, 8, palette=palette),
        'grey-alpha8.png': encode_png(img(13, 11, 2, 256), 4, 8),
        'grey-alpha16.png': encode_png(img(13, 11, 2, 65536), 4, 16),
        'rgba8.png': encode_png(img(13, 11, 4, 256), 6, 8),
        'rgba16-interlaced.png': encode_png(img(13, 11, 4, 65536), 6, 16, interlace=True),
        'rgb8-3x2-interlaced.png': encode_png(img(3, 2, 3, 256), 2, 8, interlace=True),
    }
    for name, data in files.items():
        (OUT / 'png' / name).write_bytes(data)
    return list(files)


# ---- transformers' processing, with PIL and NumPy

def output_size(h: int, w: int, size: dict) -> tuple[int, int]:
    """transformers' get_resize_output_image_size (default_to_square=False for shortest_edge)."""
    if 'shortest_edge' in size:
        short, long = (w, h) if w <= h else (h, w)
        new_short, new_long = size['shortest_edge'], int(size['shortest_edge'] * long / short)
        return (new_long, new_short) if w <= h else (new_short, new_long)
    return size['height'], size['width']


def resize(a: np.ndarray, h: int, w: int, resample: int) -> np.ndarray:
    return np.asarray(Image.fromarray(a).resize((w, h), resample))


def center_crop(a: np.ndarray, ch: int, cw: int) -> np.ndarray:
    """transformers.image_transforms.center_crop on an HWC array: offsets rounded down, zero padding."""
    h, w = a.shape[:2]
    top, left = (h - ch) // 2, (w - cw) // 2
    out = np.zeros((ch, cw) + a.shape[2:], a.dtype)
    for y in range(ch):
        for x in range(cw):
            if 0 <= y + top < h and 0 <= x + left < w:
                out[y, x] = a[y + top, x + left]
    return out


def pixel_values(path: Path, cfg: dict) -> np.ndarray:
    a = np.asarray(Image.open(path).convert('RGB'))
    if cfg.get('do_resize'):
        size = cfg['size']
        if 'crop_pct' in cfg:  # ConvNextImageProcessor.resize
            s = size['shortest_edge']
            if s < 384:
                a = resize(a, *output_size(*a.shape[:2], {'shortest_edge': int(s / cfg['crop_pct'])}), cfg['resample'])
                a = center_crop(a, s, s)
            else:
                a = resize(a, s, s, cfg['resample'])
        else:
            a = resize(a, *output_size(*a.shape[:2], size), cfg['resample'])
    if cfg.get('do_center_crop'):
        a = center_crop(a, cfg['crop_size']['height'], cfg['crop_size']['width'])
    x = (a.astype(np.float64) * cfg['rescale_factor']).astype(np.float32) if cfg.get('do_rescale') else a.astype(np.float32)
    if cfg.get('do_normalize'):
        x = (x - np.array(cfg['image_mean'], np.float32)) / np.array(cfg['image_std'], np.float32)
    if cfg.get('do_flip_channel_order'):
        x = x[..., ::-1]
    return x.transpose(2, 0, 1).astype(np.float32)


def main() -> None:
    pngs = make_pngs()
    for name, cfg in PROCESSORS.items():
        (OUT / 'processors' / name).mkdir(parents=True, exist_ok=True)
        (OUT / 'processors' / name / 'preprocessor_config.json').write_text(json.dumps(cfg, indent=2) + '\n')
    vit = json.loads((VIT / 'preprocessor_config.json').read_text())
    files = {f'png/{n}': OUT / 'png' / n for n in pngs}
    files |= {'chelsea.png': OUT / 'chelsea.png', 'ankle-boot-0.png': SAMPLES / 'ankle-boot-0.png'}

    decode = []
    for name in [f'png/{n}' for n in pngs]:
        im = Image.open(files[name]).convert('RGB')
        decode.append({'file': name, 'width': im.width, 'height': im.height, 'rgb': b64(np.asarray(im))})

    resize_cases = [  # file, width, height: up, down, mixed, one pass only
        ('ankle-boot-0.png', 32, 32), ('chelsea.png', 32, 32), ('chelsea.png', 61, 20),
        ('png/rgb8.png', 40, 5), ('png/rgb8.png', 7, 29), ('png/rgb8-interlaced.png', 29, 17), ('png/rgb8-interlaced.png', 3, 31),
    ]
    resized = []
    for name, w, h in resize_cases:
        im = Image.open(files[name])
        im = im.convert('L' if im.mode == 'L' else 'RGB')
        for resample in range(6):
            resized.append({'file': name, 'width': w, 'height': h, 'resample': resample, 'out': b64(np.asarray(im.resize((w, h), resample)))})

    pipeline = []

    def case(name: str, processor: str, cfg: dict) -> dict:
        x = pixel_values(files[name], cfg)
        return {'file': name, 'processor': processor, 'shape': list(x.shape), 'pixel_values': b64(x)}
    for name in ['ankle-boot-0.png', 'chelsea.png', 'png/grey4.png', 'png/palette8.png', 'png/grey-alpha8.png', 'png/rgba16-interlaced.png']:
        pipeline.append(case(name, 'vit-fashion-tiny', vit))
    for proc, cfg in PROCESSORS.items():
        for name in ['chelsea.png', 'png/rgb8.png', 'ankle-boot-0.png']:
            pipeline.append(case(name, proc, cfg))

    refs = {
        'generated_with': f'Pillow {PIL.__version__}, NumPy {np.__version__} (scripts/make_pil_image_refs.py)',
        'files': 'relative to test/fixtures/images, except ankle-boot-0.png: models/samples/ankle-boot-0.png',
        'resample': 'PIL codes: 0 NEAREST, 1 LANCZOS, 2 BILINEAR, 3 BICUBIC, 4 BOX, 5 HAMMING',
        'decode': decode, 'resize': resized, 'pipeline': pipeline,
    }
    (OUT / 'pil-refs.json').write_text(json.dumps(refs, indent=1) + '\n')


if __name__ == '__main__':
    main()
