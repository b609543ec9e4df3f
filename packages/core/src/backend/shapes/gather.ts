// Shapes and checks of Gather and GatherGrad, shared by every backend.
import type { Attrs, Tensor } from '../backend.ts';
import { axisOf, expectFloat, expectInteger, expectShape, intAttr, intsAttr, numAttr, splitAround } from '../attrs.ts';

export interface GatherGeometry {
  axis: number;
  /** The outer × dim × inner split of the data shape around the axis. */
  outer: number;
  dim: number;
  inner: number;
}

/** data's shape with the axis replaced by the indices' shape. */
const gatheredShape = (dataShape: readonly number[], axis: number, indices: Tensor): number[] => [
  ...dataShape.slice(0, axis),
  ...indices.shape,
  ...dataShape.slice(axis + 1),
];

/** Gather's checks, axis and output shape. */
export function gatherGeometry(data: Tensor, indices: Tensor, attrs: Attrs): GatherGeometry & { shape: number[] } {
  expectInteger('Gather', indices, 'indices');
  const axis = axisOf('Gather', intAttr('Gather', attrs, 'axis', 0), data.shape);
  const [outer, dim, inner] = splitAround(data.shape, axis);
  return { axis, outer, dim, inner, shape: gatheredShape(data.shape, axis, indices) };
}

/** GatherGrad's checks (dy must have Gather's output shape), axis and output shape `dataShape`. */
export function gatherGradGeometry(dy: Tensor, indices: Tensor, attrs: Attrs): GatherGeometry & { dataShape: number[] } {
  const op = 'GatherGrad';
  expectFloat(op, dy, 'dy');
  expectInteger(op, indices, 'indices');
  const dataShape = intsAttr(op, attrs, 'dataShape');
  const axis = axisOf(op, numAttr(op, attrs, 'axis', 0), dataShape);
  expectShape(op, dy, gatheredShape(dataShape, axis, indices), 'dy');
  const [outer, dim, inner] = splitAround(dataShape, axis);
  return { axis, outer, dim, inner, dataShape };
}
