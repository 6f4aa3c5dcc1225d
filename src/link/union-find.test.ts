import { describe, expect, it } from 'vitest';
import { UnionFind } from './union-find.js';

describe('UnionFind', () => {
  it('joins components and reports their sizes', () => {
    const uf = new UnionFind(6);
    uf.union(0, 1);
    uf.union(1, 2);
    uf.union(4, 5);
    expect(uf.find(2)).toBe(uf.find(0));
    expect(uf.componentSize(0)).toBe(3);
    expect(uf.componentSize(3)).toBe(1);
    expect(uf.componentSize(5)).toBe(2);
    expect(uf.find(3)).not.toBe(uf.find(4));
  });
});
