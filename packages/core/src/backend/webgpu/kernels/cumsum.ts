// CumSum along one axis; `exclusive` leaves out the element itself, `reverse` sums from
// the end. One line per slot of a workgroup (see reduce.ts): the line is scanned in chunks
// of LANES elements, each chunk with a Hillis–Steele scan in workgroup memory plus the
// running total of the chunks before it. Integers sum in i32 (wrapping on overflow, where
// the CPU kernel saturates at the int32 range).
import type { Attrs } from '../../backend.ts';
import { axisOf, checkInputs, fmt, intAttr, splitAround } from '../../attrs.ts';
import { wgslType } from '../gpuTensor.ts';
import { registerWebGpuKernel } from '../registry.ts';
import { PARAMS } from '../wgsl.ts';
import { ROW_MAIN, ROW_PROLOGUE, layoutParams, layoutWgsl, rowGrid, rowLayout } from './reduce.ts';

/** Registers the WebGPU kernels of cumsum.ts (called once, by the folder's index). */
export function registerWebGpuCumsum(): void {
  registerWebGpuKernel('CumSum', (gpu, inputs, attrs: Attrs) => {
    const op = 'CumSum';
    checkInputs(op, inputs, 1);
    const x = inputs[0]!;
    if (x.dtype === 'bool') throw new Error(`${op}: bool input ${fmt(x.shape)}`);
    const axis = axisOf(op, intAttr(op, attrs, 'axis'), x.shape);
    const exclusive = intAttr(op, attrs, 'exclusive', 0) !== 0;
    const reverse = intAttr(op, attrs, 'reverse', 0) !== 0;
    const [outer, n, inner] = splitAround(x.shape, axis);
    const out = gpu.alloc(x.dtype, x.shape);
    const rows = outer * inner;
    if (rows === 0 || n === 0) return [out];
    const layout = rowLayout(gpu, n, inner === 1, inner);
    const t = wgslType(x.dtype);
    const zero = t === 'f32' ? '0.0' : '0';
    gpu.dispatch({
      code: /* wgsl */ `${PARAMS}${layoutWgsl(layout)}
  var<workgroup> scan: array<${t}, WG>;
  @group(0) @binding(1) var<storage, read> X: array<${t}>;
  @group(0) @binding(2) var<storage, read_write> Y: array<${t}>;
  ${ROW_MAIN} {${ROW_PROLOGUE}
    let valid = row < P(0u);
    let n = P(1u);
    let inner = P(2u);
    let reverse = P(3u) != 0u;
    let exclusive = P(4u) != 0u;
    let base = (row / inner) * n * inner + row % inner;
    var carry: ${t} = ${zero};
    for (var c = 0u; c < n; c += LANES) {
      let k = c + lane;
      let ok = valid && k < n;
      let j = base + select(k, n - 1u - k, reverse) * inner;
      var v: ${t} = ${zero};
      if (ok) { v = X[j]; }
      scan[li] = v;
      workgroupBarrier();
      for (var s = 1u; s < LANES; s = s * 2u) {
        var add: ${t} = ${zero};
        if (lane >= s) { add = scan[li - s * LANE_STRIDE]; }
        workgroupBarrier();
        scan[li] += add;
        workgroupBarrier();
      }
      var before: ${t} = ${zero};
      if (lane > 0u) { before = scan[li - LANE_STRIDE]; }
      if (ok) { Y[j] = carry + select(scan[li], before, exclusive); }
      carry += scan[li + (LANES - 1u - lane) * LANE_STRIDE];
      workgroupBarrier();
    }
  }`,
      inputs: [x],
      outputs: [out],
      params: layoutParams(layout, [rows, n, inner, reverse ? 1 : 0, exclusive ? 1 : 0]),
      workgroups: rowGrid(gpu, layout, rows),
    });
    return [out];
  });
}
