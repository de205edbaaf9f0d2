import { DescrambleError, InvalidArgumentError } from '@descramble/core';
import { describe, expect, it } from 'vitest';
import { CertificateViolationError, ChartDomainError, InvalidOptionError, InverseRetractionDomainError, NotOrthogonalError, OrthogonalError } from './errors.js';

const cases = [
  {
    error: new NotOrthogonalError({ location: 'cost', orthogonalityError: 0.5 }),
    cls: NotOrthogonalError,
    kind: 'NotOrthogonal',
    message: 'orthogonal: cost: matrix is not orthogonal (||P^T P - I||_F = 0.5)',
    detail: { orthogonalityError: 0.5 },
  },
  {
    error: new ChartDomainError({ location: 'cayley', determinantSign: -1 }),
    cls: ChartDomainError,
    kind: 'ChartDomain',
    message: 'orthogonal: cayley: point outside the Cayley chart (eigenvalue -1; determinant sign -1)',
    detail: { determinantSign: -1 },
  },
  {
    error: new InverseRetractionDomainError({ location: 'lift', retraction: 'polar', pivot: -2 }),
    cls: InverseRetractionDomainError,
    kind: 'InverseRetractionDomain',
    message: 'orthogonal: lift: point outside the image of the polar retraction (Cholesky pivot -2 not positive)',
    detail: { retraction: 'polar', pivot: -2 },
  },
  {
    error: new CertificateViolationError({ location: 'gap', value: 1, reference: 2, roundoff: 0.1 }),
    cls: CertificateViolationError,
    kind: 'CertificateViolation',
    message: 'orthogonal: gap: value 1 is below the lower bound 2 by 1, more than the roundoff bound 0.1 (certificate violated)',
    detail: { value: 1, reference: 2, roundoff: 0.1 },
  },
] as const;

describe('orthogonal errors (options-object constructors)', () => {
  it.each(cases)('$kind: name, kind, message, detail, isInstance', ({ error, cls, kind, message, detail }) => {
    expect(error.name).toBe(cls.name);
    expect(error.kind).toBe(kind);
    expect(error.message).toBe(message);
    expect(error.detail).toEqual(detail);
    expect(error.scope).toBe('orthogonal');
    expect(cls.isInstance(error)).toBe(true);
    expect(OrthogonalError.isInstance(error)).toBe(true);
    expect(DescrambleError.isInstance(error)).toBe(true);
    for (const other of cases) if (other.cls !== cls) expect(other.cls.isInstance(error)).toBe(false);
  });

  it('InvalidOptionError is an InvalidArgumentError naming the option, and keeps its cause', () => {
    const cause = new Error('inner');
    const error = new InvalidOptionError({ location: 'minimize', option: 'method', value: 'newton', cause });
    expect(error.option).toBe('method');
    expect(error.value).toBe('newton');
    expect(error.location).toBe('minimize');
    expect(error.cause).toBe(cause);
    expect(error.message).toContain('orthogonal: minimize:');
    expect(error.message).toContain('invalid option value newton');
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(InvalidOptionError.isInstance(error)).toBe(true);
    expect(NotOrthogonalError.isInstance(error)).toBe(false);
  });
});
