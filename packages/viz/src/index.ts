/**
 * @glassbox/viz: renders Glassbox results in any page (plain DOM, no framework), and as
 * standalone HTML files and PNG images. Token and label strings are untrusted: they are
 * only ever written as DOM text nodes or escaped.
 */
export { render, isImageResult, TEXT_VIEWS, type AnyResult, type RenderOptions, type TextView } from './render.ts';
export { toHTML, resultMarkup, type HTMLOptions } from './html.ts';
export { standaloneDocument } from './standaloneDocument.ts';
export { renderTokens, tooltip, type TextViewOptions } from './tokens.ts';
export { renderTable, TABLE_COLUMNS } from './table.ts';
export { recordsTableMarkup, renderRecordsTable, type TableRecord } from './recordsTable.ts';
export { renderBarChart, type BarChartOptions } from './barChart.ts';
export { renderForcePlot, forcePlotView, type ForcePlotOptions } from './forcePlot.ts';
export {
  renderShapBarPlot,
  shapBarPlotView,
  shapBars,
  otherFeaturesLabel,
  type ShapBarOptions,
  type ShapBarPlotOptions,
} from './shapBarPlot.ts';
export {
  ROW_TYPES,
  rowsOf,
  shownPieces,
  scaleOf,
  type Row,
  type RowSet,
  type RowType,
  type RowOptions,
  type PieceOptions,
  type ShownPiece,
  type Granularity,
  type TrueLabel,
  type TextResult,
  type MultiTargetResult,
  type TargetExplanation,
} from './rows.ts';
export { classesView } from './classes.ts';
export { groupWords, type Piece } from './words.ts';
export { attributionColours, colourAt, textColourOn, luminance, gradientCSS } from './colormap.ts';
export { escapeHTML } from './dom.ts';
export { renderImageResult, pixelsCanvas, type RenderImageOptions, type ImageSource } from './imageResult.ts';
export {
  IMAGE_MAP_MODES,
  imageMapPixels,
  normalizeAttr,
  cumulativeSumThreshold,
  heatmapPixels,
  overlayPixels,
  maskedImagePixels,
  alphaScalingPixels,
  greyscale,
  signColor,
  unnormalizePixels,
  upsampleNearest,
  scalePixels,
  captumSign,
  type Pixels,
  type ImageSign,
  type CaptumSign,
  type ImageMapMode,
  type ImageMapOptions,
  type NormalizedMap,
} from './imageMaps.ts';
export { renderAttention, type RenderAttentionOptions } from './attentionView.ts';
export { attentionMapsView, attentionsOf, type AttentionReduction } from './attentionMaps.ts';
export { heatmapView } from './heatmap.ts';
export { headView, renderHeadView, headColour, HEAD_COLOURS, type HeadViewOptions } from './headView.ts';
export { toPNG, svgToCanvas } from './png.ts';
export { sampleResults, sampleMultiTarget } from './samples.ts';
export {
  renderBenchmark,
  benchmarkTableHTML,
  benchmarkTableView,
  benchmarkScale,
  formatMetric,
  METRIC_BETTER,
  type BenchmarkTable,
  type BenchmarkViewOptions,
} from './benchmarkTable.ts';
export { metricColours, METRIC_SCALES, type MetricScale } from './metricColours.ts';
export {
  imagePNG,
  imagePanels,
  imageFigureView,
  pixelsPNG,
  IMAGE_FILE_MODES,
  PANEL_GAP,
  type ImageFileMode,
  type ImageFileOptions,
  type ImagePanel,
  type ImageResultLike,
} from './imageFile.ts';
export { benchmarkPNG, drawBenchmark, type BenchmarkLayout, type CreateCanvas, type Context2DLike } from './benchmarkPNG.ts';
