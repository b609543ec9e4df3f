import { gradientCSS } from './colormap.ts';
import { type VNode, h } from './dom.ts';
import { formatAttribution } from './format.ts';

/** The colour bar of the attribution map: −scale (red) … 0 (white) … +scale (blue). */
export function legendView(scale: number): VNode {
  const [lo, hi] = [formatAttribution(-scale), formatAttribution(scale)];
  return h(
    'div',
    { class: 'gbv-legend', 'data-view': 'legend', 'data-scale': String(scale) },
    h('span', { class: 'gbv-legend-title' }, 'Legend'),
    h('span', {}, 'negative'),
    h(
      'div',
      { class: 'gbv-legend-scale' },
      h('div', {
        class: 'gbv-legend-bar',
        role: 'img',
        'aria-label': `colour scale: ${lo} red, 0 white, ${hi} blue`,
        style: { 'background-image': gradientCSS() },
      }),
      h(
        'div',
        { class: 'gbv-legend-ticks' },
        h('span', { 'data-tick': 'min' }, lo),
        h('span', { 'data-tick': '0' }, '0'),
        h('span', { 'data-tick': 'max' }, hi),
      ),
    ),
    h('span', {}, 'positive'),
  );
}
