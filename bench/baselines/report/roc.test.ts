import { describe, expect, it } from 'vitest';
import { rocPoints, rocSvg } from './roc.js';

describe('ROC', () => {
  it('steps through distinct scores, ties together', () => {
    const pts = rocPoints([
      { score: 0.9, positive: true },
      { score: 0.5, positive: true },
      { score: 0.5, positive: false },
      { score: 0.1, positive: false },
    ]);
    expect(pts).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 0, tpr: 0.5 },
      { fpr: 0.5, tpr: 1 },
      { fpr: 1, tpr: 1 },
    ]);
  });

  it('draws one polyline per detector, deterministically', () => {
    const series = [
      {
        name: 'a<b',
        points: [
          { fpr: 0, tpr: 0 },
          { fpr: 0.01, tpr: 0.5 },
          { fpr: 1, tpr: 1 },
        ],
      },
    ];
    const svg = rocSvg('t', series);
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg).toContain('a&lt;b');
    expect(rocSvg('t', series)).toBe(svg);
  });
});
