/** Decoded 8-bit pixels, interleaved (HWC): 1 grey, 2 grey+alpha, 3 RGB or 4 RGBA values a pixel. */
export interface Pixels8 {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: number;
}
