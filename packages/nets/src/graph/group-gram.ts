import type { Matrix } from 'ml-matrix';
import { InvalidArgumentError, netsScope } from '../errors.js';
import type { ChannelGroup } from './channel-groups.js';

/** Where a group's channels sit among the units of a layer that writes them. */
export interface GroupPlacement {
  readonly layer: string;
  /** First unit of the layer holding the group's channel 0 (0 unless the group is a part: a slice, an attention head). */
  readonly offset: number;
}

/** Every place a layer writes the group's channels (a residual stream: several layers; a head's dimensions: once per head). */
export function groupPlacements(group: ChannelGroup): GroupPlacement[] {
  return group.layers.filter((side) => side.side === 'out').map((side) => ({ layer: side.layer, offset: side.offset }));
}

/**
 * The Gram of a group's channels, the data of its smoothness criterion: for every placement,
 * the block of the writing layer's Gram at those units, scaled to unit trace (so that no writer
 * counts more for its scale alone: a residual stream's writers differ by orders of magnitude),
 * summed. A group with one placement gets that block as it is.
 *
 * @throws InvalidArgumentError when a writing layer's Gram is missing or too small for its placement.
 */
export function groupGram(group: ChannelGroup, grams: ReadonlyMap<string, Matrix>): Matrix {
  const operation = 'groupGram';
  const placements = groupPlacements(group);
  if (placements.length === 0) throw new InvalidArgumentError({ operation, argument: 'group', what: `channel group ${group.id} is written by no layer`, ...netsScope });
  let sum: Matrix | undefined;
  for (const { layer, offset } of placements) {
    const gram = grams.get(layer);
    if (gram === undefined || gram.rows < offset + group.size) {
      throw new InvalidArgumentError({ operation, argument: 'grams', what: `no Gram of layer ${JSON.stringify(layer)} covering units ${offset}..${offset + group.size - 1} (channel group ${group.id})`, ...netsScope });
    }
    const block = offset === 0 && gram.rows === group.size ? gram : gram.subMatrix(offset, offset + group.size - 1, offset, offset + group.size - 1);
    const trace = block.trace();
    const part = placements.length === 1 || trace === 0 ? block : block.clone().div(trace);
    sum = sum === undefined ? part.clone() : sum.add(part);
  }
  return sum as Matrix;
}
