/**
 * Normalised Fresnel integrals C(x) = int_0^x cos(pi t^2 / 2) dt and
 * S(x) = int_0^x sin(pi t^2 / 2) dt (scipy.special.fresnel's convention).
 *
 * Below |x| = 1.5 the Taylor series converges quickly without cancellation; above it the
 * complementary error function of the complex argument is evaluated by its continued
 * fraction (modified Lentz), which converges faster the larger x is.
 */

const SERIES_LIMIT = 1.5;
const EPSILON = 1e-16;
const TINY = 1e-300;
const MAX_TERMS = 200;

export interface FresnelPair {
  readonly c: number;
  readonly s: number;
}

export function fresnel(x: number): FresnelPair {
  if (Number.isNaN(x)) return { c: Number.NaN, s: Number.NaN };
  const ax = Math.abs(x);
  const { c, s } = ax <= SERIES_LIMIT ? fresnelSeries(ax) : fresnelContinuedFraction(ax);
  // C and S are odd functions.
  return x < 0 ? { c: -c, s: -s } : { c, s };
}

function fresnelSeries(x: number): FresnelPair {
  // Combined series in powers of t = (pi/2) x^2: term_k = (-1)^floor(k/2) t^k / k!,
  // contributing x * term_k / (2k + 1) to C (k even) or S (k odd).
  const t = (Math.PI / 2) * x * x;
  let term = 1;
  let c = x;
  let s = 0;
  for (let k = 1; k < MAX_TERMS; k++) {
    term *= t / k;
    const signedTerm = (k % 4 === 0 || k % 4 === 1 ? 1 : -1) * term;
    const contribution = (x * signedTerm) / (2 * k + 1);
    if (k % 2 === 0) c += contribution;
    else s += contribution;
    if (Math.abs(contribution) < EPSILON * Math.max(Math.abs(c), Math.abs(s))) break;
  }
  return { c, s };
}

function fresnelContinuedFraction(x: number): FresnelPair {
  // (C + iS)(x) = (1 + i)/2 * erf((1 - i) sqrt(pi) x / 2); erfc of that argument has the
  // continued fraction below in b = 1 - i pi x^2 (Numerical Recipes' form, re-derived).
  const pix2 = Math.PI * x * x;
  let bRe = 1;
  const bIm = -pix2;
  // d = 1 / b
  let [dRe, dIm] = complexInverse(bRe, bIm);
  let hRe = dRe;
  let hIm = dIm;
  let cRe = 1 / TINY;
  let cIm = 0;
  let n = -1;
  for (let k = 2; k <= MAX_TERMS; k++) {
    n += 2;
    const a = -n * (n + 1);
    bRe += 4;
    // d = 1 / (a d + b)
    [dRe, dIm] = complexInverse(a * dRe + bRe, a * dIm + bIm);
    // c = b + a / c
    const [invCRe, invCIm] = complexInverse(cRe, cIm);
    cRe = bRe + a * invCRe;
    cIm = bIm + a * invCIm;
    // delta = c d; h = h delta
    const deltaRe = cRe * dRe - cIm * dIm;
    const deltaIm = cRe * dIm + cIm * dRe;
    const nextHRe = hRe * deltaRe - hIm * deltaIm;
    hIm = hRe * deltaIm + hIm * deltaRe;
    hRe = nextHRe;
    if (Math.abs(deltaRe - 1) + Math.abs(deltaIm) < EPSILON) break;
  }
  // h = h (x - i x)
  const scaledRe = hRe * x + hIm * x;
  const scaledIm = hIm * x - hRe * x;
  // (C + iS) = (1 + i)/2 (1 - exp(i pix2/2) h)
  const phaseRe = Math.cos(0.5 * pix2);
  const phaseIm = Math.sin(0.5 * pix2);
  const wRe = 1 - (phaseRe * scaledRe - phaseIm * scaledIm);
  const wIm = -(phaseRe * scaledIm + phaseIm * scaledRe);
  return { c: 0.5 * (wRe - wIm), s: 0.5 * (wRe + wIm) };
}

function complexInverse(re: number, im: number): [number, number] {
  // Smith's algorithm avoids overflow in re^2 + im^2.
  if (Math.abs(re) >= Math.abs(im)) {
    const ratio = im / re;
    const denominator = re + im * ratio;
    return [1 / denominator, -ratio / denominator];
  }
  const ratio = re / im;
  const denominator = re * ratio + im;
  return [ratio / denominator, -1 / denominator];
}
