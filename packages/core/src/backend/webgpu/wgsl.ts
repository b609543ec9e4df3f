/**
 * Shared WGSL. Every kernel gets its parameters in one 256-byte uniform block (64 u32
 * words, see Gpu.dispatch) read through P/PI/PF, and runs one invocation per output
 * element over a 2-D grid of 64-wide workgroups (dispatch limits are 65535 per dimension).
 */
export const WORKGROUP = 64;
export const PARAM_WORDS = 64;

export const PARAMS = /* wgsl */ `
@group(0) @binding(0) var<uniform> params: array<vec4<u32>, ${PARAM_WORDS / 4}>;
fn P(i: u32) -> u32 { return params[i / 4u][i % 4u]; }
fn PI(i: u32) -> i32 { return bitcast<i32>(P(i)); }
fn PF(i: u32) -> f32 { return bitcast<f32>(P(i)); }
`;

/** The linear index of this invocation; compare with the element count before use. */
export const LINEAR_INDEX = /* wgsl */ `
fn linearIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 { return gid.x + gid.y * nwg.x * ${WORKGROUP}u; }
`;

/** Entry point header for one-invocation-per-element kernels. */
export const ELEMENTWISE_MAIN = /* wgsl */ `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>)`;
