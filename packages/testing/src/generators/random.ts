/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same data everywhere. */
export function seeded(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    /** Picks by weight: `[['a', 3], ['b', 1]]` gives a three times as often as b. */
    weighted: <T>(items: readonly (readonly [T, number])[]): T => {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [item, w] of items) {
        r -= w;
        if (r < 0) return item;
      }
      return (items[items.length - 1] as readonly [T, number])[0];
    },
    /** A Pareto-distributed number ≥ 1: most small, a few very large (activity, spend). */
    pareto: (alpha = 1.2) => 1 / (1 - next()) ** (1 / alpha),
    chance: (p: number) => next() < p,
  };
}

export type Random = ReturnType<typeof seeded>;
