/** Deterministic uniform numbers in [0, 1) (mulberry32): a seed makes a run reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates, in place. */
export function shuffleInPlace<T extends { [index: number]: unknown; length: number }>(items: T, random: () => number): T {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const kept = items[i];
    items[i] = items[j];
    items[j] = kept;
  }
  return items;
}

/** Inverted dropout as Keras does it: a unit is kept with probability 1 - rate and scaled by 1 / (1 - rate). */
export function fillDropoutMask(mask: Float32Array, rate: number, random: () => number): Float32Array {
  const kept = 1 / (1 - rate);
  for (let i = 0; i < mask.length; i++) mask[i] = random() < rate ? 0 : kept;
  return mask;
}
