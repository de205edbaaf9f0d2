/**
 * Sparse augmentation for the square linear assignment kernel. For dense costs an optimal
 * assignment mostly uses cheap entries, so the rows still free after JV's reductions are
 * first placed by shortest augmenting paths restricted to the k cheapest entries of every
 * row (Dijkstra with a binary heap: a visited row costs O(k log) instead of O(n)), with
 * the same dual updates as the dense kernel. Those updates keep the duals feasible only on
 * the sparse entries, so they are then repaired for the full matrix
 * (v_j <- min(v_j, min_i c_ij - u_i)) and every matched pair that loses its tightness is
 * unmatched. The dense kernel places whatever is left, so the result is exact whatever the
 * sparse phase misses (on uniform random costs it leaves nothing).
 * No validation; the caller guarantees a square minimisation without NaN, duals u, v
 * feasible on every entry and tight on the matched pairs.
 */

/**
 * Flips the alternating path found by a shortest-path search: walking back from `sink`
 * through `path` (the row that reached each column) until `startRow`, each column is assigned
 * to the row that reached it. Shared by the dense and the sparse Dijkstra phases.
 */
export function augmentAlongPath(
  path: Int32Array,
  row4col: Int32Array,
  col4row: Int32Array,
  sink: number,
  startRow: number,
): void {
  let j = sink;
  for (;;) {
    const r = path[j]!;
    row4col[j] = r;
    const previous = col4row[r]!;
    col4row[r] = j;
    j = previous;
    if (r === startRow) break;
  }
}

/** Candidate entries per row: enough that random instances rarely need repair. */
export function sparseDegree(n: number): number {
  return Math.min(n, Math.max(12, Math.ceil(2.5 * Math.log2(n))));
}

/**
 * Places the free rows on the sparse graph where possible (a row without an augmenting
 * path there stays free), then repairs the duals. Updates u, v, col4row, row4col.
 */
export function sparseAugment(
  n: number,
  cost: Float64Array,
  u: Float64Array,
  v: Float64Array,
  col4row: Int32Array,
  row4col: Int32Array,
  signal?: AbortSignal,
): void {
  const k = sparseDegree(n);
  const candidates = cheapestPerRow(n, k, cost);
  const shortest = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const path = new Int32Array(n);
  const scannedCols = new Uint8Array(n);
  const visitedRows = new Int32Array(n);
  const visitedCols = new Int32Array(n);
  const touched = new Int32Array(n);
  const heapKey = new Float64Array(n * k + n);
  const heapCol = new Int32Array(n * k + n);

  for (let curRow = 0; curRow < n; curRow++) {
    if (col4row[curRow]! >= 0) continue;
    signal?.throwIfAborted();
    let nTouched = 0;
    let nVisitedRows = 0;
    let nVisitedCols = 0;
    let heapSize = 0;
    let minVal = 0;
    let i = curRow;
    let sink = -1;
    while (sink === -1) {
      visitedRows[nVisitedRows++] = i;
      const h = minVal - u[i]!;
      for (let t = i * k, end = t + k; t < end; t++) {
        const j = candidates[t]!;
        if (scannedCols[j]) continue;
        const r = h + cost[i * n + j]! - v[j]!;
        if (r < shortest[j]!) {
          if (shortest[j] === Number.POSITIVE_INFINITY) touched[nTouched++] = j;
          shortest[j] = r;
          path[j] = i;
          // push (r, j)
          let c = heapSize++;
          while (c > 0) {
            const parent = (c - 1) >> 1;
            if (heapKey[parent]! <= r) break;
            heapKey[c] = heapKey[parent]!;
            heapCol[c] = heapCol[parent]!;
            c = parent;
          }
          heapKey[c] = r;
          heapCol[c] = j;
        }
      }
      // pop the closest unscanned column (lazy deletion of stale entries)
      let j = -1;
      while (heapSize > 0) {
        const key = heapKey[0]!;
        const col = heapCol[0]!;
        heapSize--;
        const lastKey = heapKey[heapSize]!;
        const lastCol = heapCol[heapSize]!;
        let c = 0;
        for (;;) {
          let child = 2 * c + 1;
          if (child >= heapSize) break;
          if (child + 1 < heapSize && heapKey[child + 1]! < heapKey[child]!) child++;
          if (heapKey[child]! >= lastKey) break;
          heapKey[c] = heapKey[child]!;
          heapCol[c] = heapCol[child]!;
          c = child;
        }
        heapKey[c] = lastKey;
        heapCol[c] = lastCol;
        if (!scannedCols[col] && key === shortest[col]) {
          j = col;
          minVal = key;
          break;
        }
      }
      if (j < 0) break;
      scannedCols[j] = 1;
      visitedCols[nVisitedCols++] = j;
      if (row4col[j] === -1) sink = j;
      else i = row4col[j]!;
    }
    if (sink < 0) {
      // no augmenting path on the sparse graph: leave the row to the dense kernel
      for (let t = 0; t < nVisitedCols; t++) scannedCols[visitedCols[t]!] = 0;
      for (let t = 0; t < nTouched; t++) shortest[touched[t]!] = Number.POSITIVE_INFINITY;
      continue;
    }
    u[curRow] = u[curRow]! + minVal;
    for (let t = 1; t < nVisitedRows; t++) {
      const r = visitedRows[t]!;
      u[r] = u[r]! + minVal - shortest[col4row[r]!]!;
    }
    for (let t = 0; t < nVisitedCols; t++) {
      const c = visitedCols[t]!;
      v[c] = v[c]! - (minVal - shortest[c]!);
      scannedCols[c] = 0;
    }
    augmentAlongPath(path, row4col, col4row, sink, curRow);
    for (let t = 0; t < nTouched; t++) shortest[touched[t]!] = Number.POSITIVE_INFINITY;
  }

  // Repair: dual feasibility on the whole matrix; unmatch pairs that are no longer tight.
  const columnMin = shortest; // reuse: min_i (c_ij - u_i)
  columnMin.fill(Number.POSITIVE_INFINITY);
  for (let i = 0; i < n; i++) {
    const ui = u[i]!;
    const base = i * n;
    for (let j = 0; j < n; j++) {
      const r = cost[base + j]! - ui;
      if (r < columnMin[j]!) columnMin[j] = r;
    }
  }
  for (let j = 0; j < n; j++) {
    if (columnMin[j]! < v[j]!) {
      v[j] = columnMin[j]!;
      const i = row4col[j]!;
      if (i >= 0 && cost[i * n + j]! - u[i]! - v[j]! > 0) {
        row4col[j] = -1;
        col4row[i] = -1;
      }
    }
  }
}

/**
 * The k cheapest entries of each row (row-major n x k). Forbidden (+Infinity) entries may
 * fill a row's list; they are never relaxed (their reduced cost stays infinite).
 */
function cheapestPerRow(n: number, k: number, cost: Float64Array): Int32Array {
  const out = new Int32Array(n * k);
  const scratch = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = cost.subarray(i * n, i * n + n);
    scratch.set(row);
    const threshold = kthSmallest(scratch, k - 1);
    let t = 0;
    for (let j = 0; j < n && t < k; j++) if (row[j]! < threshold) out[i * k + t++] = j;
    for (let j = 0; j < n && t < k; j++) if (row[j]! === threshold) out[i * k + t++] = j;
  }
  return out;
}

/** Quickselect (Hoare partition around the middle element); reorders `a`. */
function kthSmallest(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
