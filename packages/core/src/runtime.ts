/**
 * `@glassbox/core/runtime`: the engine under the explainers, for people who build on it:
 * ONNX graphs and `OnnxModel` (forward and gradient passes), the CPU and WebGPU backends,
 * `Ops` (tensor operations on a backend) and `Scope` (what frees their tensors), the
 * onnxruntime forward engine, the embedding lookups the gradient methods attribute to, and the
 * attention capture of any `OnnxModel` (`rollout`, `aggregate` and `gradientWeightedRelevance`
 * over the maps are in `@glassbox/core`).
 */
export type { Backend, Tensor, Attrs, Kernel, MemoryStats } from './backend/backend.ts';
export { CpuBackend, cpuBackend } from './backend/cpu/index.ts';
export { Ops } from './backend/ops.ts';
export { Scope } from './backend/scope.ts';
export { WebGpuBackend, requestGpu } from './backend/webgpu/index.ts';
export { type WebGpuAdapterKind, autoDevice, selectBackend, webGpuAdapterKind } from './backend/select.ts';
export type { Graph, Node, ValueInfo } from './graph/ir.ts';
export { loadOnnx } from './graph/load.ts';
export { onnxSchema } from './onnx/schema.ts';
export { OnnxModel } from './model/onnxModel.ts';
export { OrtForward } from './model/ortForward.ts';
export type { ForwardEngine, GradientEngine } from './model/pretrained.ts';
export { captureAttentions, captureAttentionGradients } from './attention/captureAttentions.ts';
export { findWordEmbedding, findPositionEmbedding, findTokenTypeEmbedding } from './model/embeddings.ts';
