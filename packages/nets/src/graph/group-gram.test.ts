import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import type { ChannelGroup } from './channel-groups.js';
import { groupGram, groupPlacements } from './group-gram.js';

function group(size: number, sides: { layer: string; side: 'out' | 'in'; offset: number }[]): ChannelGroup {
  return { id: 3, size, permutable: true, blockedBy: null, members: [], layers: sides.map((s) => ({ ...s, block: 1 })) };
}

describe('groupGram', () => {
  const big = Matrix.from1DArray(4, 4, [4, 1, 0, 0, 1, 3, 0, 0, 0, 0, 9, 2, 0, 0, 2, 1]);

  it('is the writing layer\'s Gram when one layer writes the whole group', () => {
    const g = groupGram(group(4, [{ layer: 'fc', side: 'out', offset: 0 }, { layer: 'next', side: 'in', offset: 0 }]), new Map([['fc', big]]));
    expect(g.to2DArray()).toEqual(big.to2DArray());
  });

  it('sums the unit-trace blocks of every placement (an attention head\'s dimensions, written once per head)', () => {
    const heads = group(2, [{ layer: 'qkv', side: 'out', offset: 0 }, { layer: 'qkv', side: 'out', offset: 2 }]);
    expect(groupPlacements(heads)).toEqual([{ layer: 'qkv', offset: 0 }, { layer: 'qkv', offset: 2 }]);
    const g = groupGram(heads, new Map([['qkv', big]]));
    // [[4,1],[1,3]] / 7 + [[9,2],[2,1]] / 10
    expect(g.get(0, 0)).toBeCloseTo(4 / 7 + 9 / 10, 15);
    expect(g.get(0, 1)).toBeCloseTo(1 / 7 + 2 / 10, 15);
    expect(g.get(1, 1)).toBeCloseTo(3 / 7 + 1 / 10, 15);
    expect(g.trace()).toBeCloseTo(2, 14);
  });

  it('refuses a missing or too small Gram, naming the layer', () => {
    const heads = group(2, [{ layer: 'qkv', side: 'out', offset: 3 }]);
    expect(() => groupGram(heads, new Map([['qkv', big]]))).toThrow(InvalidArgumentError);
    expect(() => groupGram(heads, new Map())).toThrow(/"qkv"/);
    expect(() => groupGram(group(2, [{ layer: 'x', side: 'in', offset: 0 }]), new Map())).toThrow(/written by no layer/);
  });
});
