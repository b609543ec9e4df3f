import { InvalidInputError } from '../errors.ts';

/**
 * Weighted linear least squares / ridge, in float64, for the surrogate models of perturbation
 * methods (LIME's interpretable model, KernelSHAP's constrained regression, ...):
 *
 *   minimise  Σ_i w_i (y_i − b − x_i·β)²  +  ridge · ‖β‖²     (the intercept b is not penalised)
 *   subject to Σ_j β_j = sumTo                                 (when `sumTo` is given)
 *
 * The intercept is fitted by centring X and y on their weighted means (sklearn's
 * LinearRegression / Ridge with sample_weight do the same); the ridge is appended as √ridge·I
 * rows; the equality constraint is removed by writing β = (sumTo/p)·1 + Z v with Z an
 * orthonormal basis of {v : Σv = 0} (a Householder reflector), so the remaining problem is an
 * unconstrained least-squares problem in v. That problem is solved by Householder QR with
 * column pivoting on the √w-scaled design (never the normal equations, whose condition number
 * is the square of the design's), and a rank-deficient design (features that never vary, fewer
 * samples than features) gets the minimum-norm solution through a complete orthogonal
 * decomposition (LAPACK's xGELSY; numpy.linalg.lstsq, used by shap and sklearn, also returns
 * the minimum-norm solution). With the constraint, minimum norm is over every β satisfying it.
 */
export interface LinearFitOptions {
  /** Sample weights w_i ≥ 0 (one per row). Default: all 1. */
  weights?: ArrayLike<number>;
  /** Fit an intercept b. Default true; with false, b = 0. */
  intercept?: boolean;
  /** L2 penalty on β (sklearn Ridge's alpha, applied to the weighted sum of squares). Default 0. */
  ridge?: number;
  /** Linear equality constraint Σ_j β_j = sumTo (KernelSHAP's efficiency). Default: none. */
  sumTo?: number;
  /**
   * Relative tolerance of the rank decision: a pivot |R_kk| ≤ rcond·|R_00| counts as zero.
   * Default max(rows, columns)·ε, numpy.linalg.lstsq's default.
   */
  rcond?: number;
}

export interface LinearFit {
  /** β, one per column of X. */
  coef: Float64Array;
  /** b (0 when `intercept` is false). */
  intercept: number;
  /** Numerical rank of the (reduced, ridge-augmented) design that was solved. */
  rank: number;
}

/** Fits y ≈ b + X β (see LinearFitOptions); `x` is given as rows (e.g. Uint8Array masks). */
export function linearFit(x: readonly ArrayLike<number>[], y: ArrayLike<number>, options: LinearFitOptions = {}): LinearFit {
  const m = x.length;
  if (m === 0) throw new InvalidInputError('linearFit needs at least one row', 'bad_fit');
  const p = x[0]!.length;
  if (p === 0) throw new InvalidInputError('linearFit needs at least one column', 'bad_fit');
  if (y.length !== m) throw new InvalidInputError(`linearFit: ${m} rows but ${y.length} targets`, 'bad_fit');
  for (const row of x) if (row.length !== p) throw new InvalidInputError('linearFit: rows of different lengths', 'bad_fit');
  const { intercept = true, ridge = 0, sumTo } = options;
  if (!(ridge >= 0) || !Number.isFinite(ridge))
    throw new InvalidInputError(`linearFit: ridge must be a finite number ≥ 0, got ${ridge}`, 'bad_fit');
  if (sumTo !== undefined && !Number.isFinite(sumTo))
    throw new InvalidInputError(`linearFit: sumTo must be finite, got ${sumTo}`, 'bad_fit');
  const w = new Float64Array(m).fill(1);
  if (options.weights) {
    if (options.weights.length !== m) throw new InvalidInputError(`linearFit: ${m} rows but ${options.weights.length} weights`, 'bad_fit');
    for (let i = 0; i < m; i++) {
      const v = options.weights[i]!;
      if (!(v >= 0) || !Number.isFinite(v)) throw new InvalidInputError(`linearFit: weights must be finite and ≥ 0, got ${v}`, 'bad_fit');
      w[i] = v;
    }
  }

  // Weighted means (the intercept's centring).
  const xMean = new Float64Array(p);
  let yMean = 0;
  if (intercept) {
    let total = 0;
    for (let i = 0; i < m; i++) total += w[i]!;
    if (total > 0) {
      for (let i = 0; i < m; i++) {
        const wi = w[i]! / total;
        if (wi === 0) continue;
        const row = x[i]!;
        for (let j = 0; j < p; j++) xMean[j]! += wi * row[j]!;
        yMean += wi * y[i]!;
      }
    }
  }

  // The augmented design A (column-major, rows = m data rows + p ridge rows) and target t.
  const rows = m + (ridge > 0 ? p : 0);
  const a = new Float64Array(rows * p);
  const t = new Float64Array(rows);
  for (let i = 0; i < m; i++) {
    const s = Math.sqrt(w[i]!);
    const row = x[i]!;
    for (let j = 0; j < p; j++) a[j * rows + i] = s * (row[j]! - xMean[j]!);
    t[i] = s * (y[i]! - yMean);
  }
  if (ridge > 0) {
    const r = Math.sqrt(ridge);
    for (let j = 0; j < p; j++) a[j * rows + m + j] = r;
  }

  let coef: Float64Array;
  let rank: number;
  if (sumTo === undefined) {
    ({ solution: coef, rank } = leastSquaresMinNorm(a, rows, p, t, options.rcond));
  } else if (p === 1) {
    coef = Float64Array.of(sumTo);
    rank = 0;
  } else {
    // β = c·s + Z v with s = 1/√p·1, Z = columns 2..p of H = I − 2uuᵀ/(uᵀu), u = e_1 − s
    // (H swaps e_1 and s, so its other columns are an orthonormal basis of 1⊥).
    const sq = 1 / Math.sqrt(p);
    const u = new Float64Array(p).fill(-sq);
    u[0] = 1 - sq;
    const uu = 2 - 2 * sq;
    const c = sumTo * sq; // β = c·s + Z v: Σβ = c·√p = sumTo
    // t ← t − A (c s); A ← A Z (computed as A H without its first column).
    for (let j = 0; j < p; j++) {
      const col = j * rows;
      for (let i = 0; i < rows; i++) t[i]! -= c * sq * a[col + i]!;
    }
    const au = new Float64Array(rows);
    for (let j = 0; j < p; j++) {
      const col = j * rows;
      const uj = u[j]!;
      for (let i = 0; i < rows; i++) au[i]! += a[col + i]! * uj;
    }
    const q = p - 1;
    const az = new Float64Array(rows * q);
    for (let k = 0; k < q; k++) {
      const j = k + 1;
      const f = (2 / uu) * u[j]!;
      const src = j * rows;
      const dst = k * rows;
      for (let i = 0; i < rows; i++) az[dst + i] = a[src + i]! - f * au[i]!;
    }
    const { solution: v, rank: r } = leastSquaresMinNorm(az, rows, q, t, options.rcond);
    rank = r;
    // β = c s + H [0; v] = c s + [0; v] − (2/uu) u (uᵀ[0; v]).
    let uv = 0;
    for (let k = 0; k < q; k++) uv += u[k + 1]! * v[k]!;
    coef = new Float64Array(p);
    for (let j = 0; j < p; j++) coef[j] = c * sq + (j > 0 ? v[j - 1]! : 0) - (2 / uu) * u[j]! * uv;
  }
  let b = 0;
  if (intercept) {
    b = yMean;
    for (let j = 0; j < p; j++) b -= xMean[j]! * coef[j]!;
  }
  return { coef, intercept: b, rank };
}

/**
 * Minimum-norm solution of min ‖A x − t‖ for a column-major rows×cols matrix A (overwritten,
 * as is t): Householder QR with column pivoting, rank by |R_kk| > rcond·|R_00|, then an RZ
 * (complete orthogonal) step for the rank-deficient case.
 */
export function leastSquaresMinNorm(
  a: Float64Array,
  rows: number,
  cols: number,
  t: Float64Array,
  rcond?: number,
): { solution: Float64Array; rank: number } {
  const steps = Math.min(rows, cols);
  const perm = Array.from({ length: cols }, (_, j) => j);
  const norms = new Float64Array(cols);
  for (let j = 0; j < cols; j++) norms[j] = columnNorm2(a, j * rows, 0, rows);
  const beta = new Float64Array(steps);
  const diag = new Float64Array(steps);
  for (let k = 0; k < steps; k++) {
    // Pivot: the remaining column of largest norm (recomputed, which is exact and cheap here).
    let best = k;
    for (let j = k; j < cols; j++) {
      norms[j] = columnNorm2(a, j * rows, k, rows);
      if (norms[j]! > norms[best]!) best = j;
    }
    if (best !== k) {
      swapColumns(a, rows, k, best);
      [perm[k], perm[best]] = [perm[best]!, perm[k]!];
      [norms[k], norms[best]] = [norms[best]!, norms[k]!];
    }
    // Householder vector for column k, rows k..: x − α e, α = −sign(x_k)‖x‖.
    const col = k * rows;
    const norm = Math.sqrt(norms[k]!);
    if (norm === 0) {
      diag[k] = 0;
      beta[k] = 0;
      continue;
    }
    const xk = a[col + k]!;
    const alpha = xk > 0 ? -norm : norm;
    a[col + k] = xk - alpha;
    beta[k] = 1 / (norm * (norm + Math.abs(xk))); // 2 / ‖x − α e‖²
    diag[k] = alpha;
    // Apply to the remaining columns and to t.
    for (let j = k + 1; j < cols; j++) applyReflector(a, col, j * rows, k, rows, beta[k]!);
    applyReflectorTo(a, col, t, k, rows, beta[k]!);
  }
  const tol = (rcond ?? Math.max(rows, cols) * Number.EPSILON) * Math.abs(diag[0] ?? 0);
  let rank = 0;
  while (rank < steps && Math.abs(diag[rank]!) > tol) rank++;
  const y = new Float64Array(cols);
  if (rank === 0) return { solution: y, rank };
  // R (rank×cols, upper trapezoidal): R[i][j] = diag[i] on the diagonal, a[j*rows+i] above it.
  const r = (i: number, j: number) => (i === j ? diag[i]! : a[j * rows + i]!);
  if (rank === cols) {
    for (let i = rank - 1; i >= 0; i--) {
      let s = t[i]!;
      for (let j = i + 1; j < cols; j++) s -= r(i, j) * y[j]!;
      y[i] = s / diag[i]!;
    }
  } else {
    // Rows 0..rank-1 of R form T = [R11 R12] (rank×cols). QR of Tᵀ (cols×rank): Tᵀ = Z [L; 0],
    // so T = [Lᵀ 0] Zᵀ and the minimum-norm solution of T y = c is y = Z [L⁻ᵀ c; 0].
    const tt = new Float64Array(cols * rank); // Tᵀ column-major: column i is row i of T
    for (let i = 0; i < rank; i++) for (let j = i; j < cols; j++) tt[i * cols + j] = r(i, j);
    const zBeta = new Float64Array(rank);
    const zDiag = new Float64Array(rank);
    for (let k = 0; k < rank; k++) {
      const col = k * cols;
      const n2 = columnNorm2(tt, col, k, cols);
      const norm = Math.sqrt(n2);
      const xk = tt[col + k]!;
      const alpha = xk > 0 ? -norm : norm;
      tt[col + k] = xk - alpha;
      zBeta[k] = norm > 0 ? 1 / (norm * (norm + Math.abs(xk))) : 0;
      zDiag[k] = alpha;
      for (let j = k + 1; j < rank; j++) applyReflector(tt, col, j * cols, k, cols, zBeta[k]!);
    }
    // Solve Lᵀ z = c (L upper triangular: L[i][j] = zDiag[i] / tt[j*cols+i] for j > i).
    const z = new Float64Array(cols);
    for (let i = 0; i < rank; i++) {
      let s = t[i]!;
      for (let j = 0; j < i; j++) s -= tt[i * cols + j]! * z[j]!;
      z[i] = s / zDiag[i]!;
    }
    // y = Z z = H_0 H_1 … H_{rank-1} [z; 0].
    for (let k = rank - 1; k >= 0; k--) applyReflectorTo(tt, k * cols, z, k, cols, zBeta[k]!);
    y.set(z);
  }
  const solution = new Float64Array(cols);
  for (let k = 0; k < cols; k++) solution[perm[k]!] = y[k]!;
  return { solution, rank };
}

function columnNorm2(a: Float64Array, col: number, from: number, rows: number): number {
  let s = 0;
  for (let i = from; i < rows; i++) s += a[col + i]! * a[col + i]!;
  return s;
}

function swapColumns(a: Float64Array, rows: number, j: number, k: number): void {
  for (let i = 0; i < rows; i++) {
    const tmp = a[j * rows + i]!;
    a[j * rows + i] = a[k * rows + i]!;
    a[k * rows + i] = tmp;
  }
}

/** Column `dst` ← (I − β v vᵀ) column, with v = a[vCol + k .. rows). */
function applyReflector(a: Float64Array, vCol: number, dst: number, k: number, rows: number, beta: number): void {
  let s = 0;
  for (let i = k; i < rows; i++) s += a[vCol + i]! * a[dst + i]!;
  s *= beta;
  if (s !== 0) for (let i = k; i < rows; i++) a[dst + i]! -= s * a[vCol + i]!;
}

function applyReflectorTo(a: Float64Array, vCol: number, target: Float64Array, k: number, rows: number, beta: number): void {
  let s = 0;
  for (let i = k; i < rows; i++) s += a[vCol + i]! * target[i]!;
  s *= beta;
  if (s !== 0) for (let i = k; i < rows; i++) target[i]! -= s * a[vCol + i]!;
}
