import { DescrambleError, markErrorClass, scopedErrorBase } from '@descramble/core';
import { describe, expect, it } from 'vitest';
import { CanvasContextError, FiguresError, InvalidFigureError, MissingDependencyError } from './errors.js';

describe('figures errors (options-object constructors)', () => {
  it('InvalidFigureError names the path and the reason, defaulting the operation', () => {
    const cause = new Error('inner');
    const error = new InvalidFigureError({ path: 'series[0].y', reason: 'must be finite', cause });
    expect(error.message).toBe('figures: validateFigure: series[0].y: must be finite');
    expect(error.kind).toBe('InvalidFigure');
    expect(error.detail).toEqual({ path: 'series[0].y', reason: 'must be finite' });
    expect(error.cause).toBe(cause);
    expect(new InvalidFigureError({ path: 'width', reason: 'too small', operation: 'renderSvg' }).message).toBe('figures: renderSvg: width: too small');
    expect(InvalidFigureError.isInstance(error)).toBe(true);
    expect(CanvasContextError.isInstance(error)).toBe(false);
    expect(FiguresError.isInstance(error)).toBe(true);
    expect(DescrambleError.isInstance(error)).toBe(true);
  });

  it('CanvasContextError names the context kind', () => {
    const error = new CanvasContextError({ contextKind: '2d' });
    expect(error.message).toBe('figures: paintScene: canvas: no 2d context (getContext returned null)');
    expect(error.kind).toBe('CanvasContext');
    expect(error.detail).toEqual({ contextKind: '2d' });
    expect(CanvasContextError.isInstance(error)).toBe(true);
    expect(InvalidFigureError.isInstance(error)).toBe(false);
  });

  it("MissingDependencyError holds for figures' error only, not another package's class of the same name", () => {
    // io has a MissingDependencyError too: the same class marker, another scope.
    class OtherMissingDependencyError extends scopedErrorBase('io', 'IoError') {
      static {
        markErrorClass(OtherMissingDependencyError, 'MissingDependencyError');
      }
    }
    const ours = new MissingDependencyError({ dependency: '@resvg/resvg-js', purpose: 'rendering figures to PNG', operation: 'renderFigureToPng' });
    const other = new OtherMissingDependencyError({ operation: 'readHdf5', reason: 'h5wasm is missing' });
    expect(MissingDependencyError.isInstance(ours)).toBe(true);
    expect(MissingDependencyError.isInstance(other)).toBe(false);
  });
});
