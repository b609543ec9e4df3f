#!/usr/bin/env python3
"""Fashion-MNIST sample images for the demo's image page (dev script; its output is committed).

Reads the test set from Debian's `dataset-fashion-mnist` package (apt-get install
dataset-fashion-mnist: /usr/share/datasets/fashion-mnist/t10k-*-idx*-ubyte.gz, MIT licence,
Zalando Research) and writes, for each class below, the first test image of that class as a
28x28 8-bit greyscale PNG into models/samples/ (vite's publicDir, so the built site serves
them as samples/<file>), plus models/samples/samples.json: [{file, label, index}], index
being the image's position in the test set. Standard library only (zlib + struct).

    python3 scripts/make_fashion_samples.py
"""
import gzip
import json
import struct
import zlib
from pathlib import Path

DATA = Path('/usr/share/datasets/fashion-mnist')
OUT = Path(__file__).resolve().parent.parent / 'models' / 'samples'
LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']
CLASSES = [0, 1, 2, 3, 5, 7, 8, 9]  # one image each; Coat and Shirt left out to keep the picker short


def read_idx(path: Path) -> tuple[list[int], bytes]:
    with gzip.open(path, 'rb') as f:
        raw = f.read()
    magic, = struct.unpack('>I', raw[:4])
    dims = magic & 0xFF
    shape = list(struct.unpack('>' + 'I' * dims, raw[4:4 + 4 * dims]))
    return shape, raw[4 + 4 * dims:]


def png_grey(width: int, height: int, pixels: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b''.join(b'\x00' + pixels[y * width:(y + 1) * width] for y in range(height))
    ihdr = struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(rows, 9)) + chunk(b'IEND', b'')


def main() -> None:
    (n, h, w), images = read_idx(DATA / 't10k-images-idx3-ubyte.gz')
    (m,), labels = read_idx(DATA / 't10k-labels-idx1-ubyte.gz')
    assert n == m and h == w == 28
    OUT.mkdir(parents=True, exist_ok=True)
    samples = []
    for c in CLASSES:
        index = labels.index(c)
        name = LABELS[c].lower().replace('/', '-').replace(' ', '-')
        file = f'{name}-{index}.png'
        (OUT / file).write_bytes(png_grey(w, h, images[index * h * w:(index + 1) * h * w]))
        samples.append({'file': file, 'label': LABELS[c], 'index': index})
    (OUT / 'samples.json').write_text(json.dumps(samples, indent=2) + '\n')
    print(json.dumps(samples))


if __name__ == '__main__':
    main()
