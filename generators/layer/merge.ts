import { diff3Merge } from 'node-diff3';

export interface MergeResult {
  text: string;
  /** Regions both sides changed differently, marked inline. */
  conflicts: number;
}

export const MARKERS = { yours: '<<<<<<< yours', separator: '=======', generator: '>>>>>>> generator' } as const;

/**
 * Three-way merge by lines, as git does: what the user changed since `base` and what the generator
 * changed since `base` are both kept; a region both changed differently keeps both versions
 * between conflict markers, so nothing is lost and the file shows where to look.
 */
export function mergeThreeWay(yours: string, base: string, generator: string): MergeResult {
  const lines = (text: string) => text.split('\n');
  const out: string[] = [];
  let conflicts = 0;
  for (const region of diff3Merge(lines(yours), lines(base), lines(generator), { excludeFalseConflicts: true })) {
    if (region.ok) out.push(...region.ok);
    else if (region.conflict) {
      conflicts++;
      out.push(MARKERS.yours, ...region.conflict.a, MARKERS.separator, ...region.conflict.b, MARKERS.generator);
    }
  }
  return { text: out.join('\n'), conflicts };
}
