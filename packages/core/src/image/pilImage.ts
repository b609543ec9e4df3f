/**
 * A transformers.js RawImage whose platform-dependent steps are plain TypeScript and follow the
 * Python peer: `resize` is Pillow's (./resize.ts), `center_crop` is transformers'
 * `image_transforms.center_crop` (offsets rounded down, zero padding where the crop is larger),
 * and `rgb` also takes grey + alpha (Pillow's `convert('RGB')`). transformers.js's image
 * processors (ViT, ConvNeXT's crop_pct, DeiT's center crop, ...) call these, so one processor
 * gives the same pixel_values in Node (where RawImage uses sharp) and in the browser (canvas).
 */
import { RawImage } from '@huggingface/transformers';
import type { Pixels8 } from './pixels.ts';
import { resizeImage } from './resize.ts';

export class PilImage extends RawImage {
  /** A copy of decoded pixels (1 to 4 channels). */
  static of({ data, width, height, channels }: Pixels8): PilImage {
    return new PilImage(Uint8ClampedArray.from(data), width, height, channels as 1 | 2 | 3 | 4);
  }

  override async resize(width: number, height: number, { resample = 2 }: { resample?: number | string } = {}): Promise<RawImage> {
    return PilImage.of(resizeImage(this, width, height, resample));
  }

  override async center_crop(cropWidth: number, cropHeight: number): Promise<RawImage> {
    const { width, height, channels: c, data } = this;
    const [top, left] = [Math.floor((height - cropHeight) / 2), Math.floor((width - cropWidth) / 2)];
    const out = new Uint8ClampedArray(cropWidth * cropHeight * c);
    for (let y = 0; y < cropHeight; y++) {
      const from = y + top;
      if (from < 0 || from >= height) continue;
      const [x0, x1] = [Math.max(0, -left), Math.min(cropWidth, width - left)];
      if (x1 > x0) out.set(data.subarray((from * width + x0 + left) * c, (from * width + x1 + left) * c), (y * cropWidth + x0) * c);
    }
    return new PilImage(out, cropWidth, cropHeight, c as 1 | 2 | 3 | 4);
  }

  override rgb(): RawImage {
    if (this.channels !== 2) return super.rgb();
    const out = new Uint8ClampedArray(this.width * this.height * 3);
    for (let p = 0; p < this.width * this.height; p++) out.fill(this.data[2 * p]!, 3 * p, 3 * p + 3);
    [this.data, this.channels] = [out, 3];
    return this;
  }
}
