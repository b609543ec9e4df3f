import { afterEach } from 'vitest';
import type { Pixels } from './imageMaps.ts';

/** For browser tests: `mount(el)` puts an element in the page (computed styles need it); each test's elements go after it. */
export function mounter(): (el: HTMLElement) => HTMLElement {
  const shown: HTMLElement[] = [];
  afterEach(() => shown.splice(0).forEach((el) => el.remove()));
  return (el) => {
    document.body.append(el);
    shown.push(el);
    return el;
  };
}

/** A 4×4 signed map whose cumulative-sum thresholds are worked out by hand in imageMaps.browser.test.ts. */
export const MAP_4X4 = [
  [0, 2, 3, 4],
  [5, 6, 7, 8],
  [-9, 10, 11, 12],
  [13, 14, 15, -16],
];

/** Pixel i (row-major) is (10i, 10i + 3, 10i + 6), opaque: its grey (the mean) is 10i + 3. */
export const IMAGE_4X4: Pixels = {
  data: Uint8ClampedArray.from({ length: 64 }, (_, k) => (k % 4 === 3 ? 255 : 10 * Math.floor(k / 4) + 3 * (k % 4))),
  width: 4,
  height: 4,
};
