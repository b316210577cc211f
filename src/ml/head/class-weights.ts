/**
 * Keras/sklearn "balanced" class weights, n / (classes * count(class)), so
 * every class adds the same total weight to the loss however many samples it
 * has.
 */
export function balancedClassWeights(labels: ArrayLike<number>, classes: number): Float64Array {
  const counts = new Float64Array(classes);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]! += 1;
  const empty = counts.findIndex((count) => count === 0);
  if (empty >= 0) throw new RangeError(`class ${empty} has no training samples, so it has no balanced weight`);
  return counts.map((count) => labels.length / (classes * count));
}
