import { describe, expect, it } from 'vitest';
import { mergeThreeWay } from '../../generators/layer/merge.js';

describe('mergeThreeWay', () => {
  const base = 'one\ntwo\nthree\nfour\nfive\n';
  it("keeps both sides' changes when they touch different lines", () => {
    expect(mergeThreeWay('ONE\ntwo\nthree\nfour\nfive\n', base, 'one\ntwo\nthree\nfour\nFIVE\n')).toEqual({
      text: 'ONE\ntwo\nthree\nfour\nFIVE\n',
      conflicts: 0,
    });
  });
  it('takes a change both sides made the same way once', () => {
    expect(mergeThreeWay('one\nTWO\nthree\nfour\nfive\n', base, 'one\nTWO\nthree\nfour\nfive\n').conflicts).toBe(0);
  });
  it('marks lines both changed differently, yours first', () => {
    const result = mergeThreeWay('one\nmine\nthree\nfour\nfive\n', base, 'one\ntheirs\nthree\nfour\nfive\n');
    expect(result).toEqual({
      text: 'one\n<<<<<<< yours\nmine\n=======\ntheirs\n>>>>>>> generator\nthree\nfour\nfive\n',
      conflicts: 1,
    });
  });
});
