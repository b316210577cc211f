import type { ProductFeatures } from '../db/product.repository.js';
import { DomainError } from '../errors.js';
import { seededRandom, shuffleInPlace } from '../ml/head/seeded-random.js';

export interface LabelledSet {
  features: Float32Array[];
  /** Index into `classes`. */
  labels: number[];
}

export interface Dataset {
  /** Category names, sorted: a label is a position in this list. */
  classes: string[];
  train: LabelledSet;
  validation: LabelledSet;
}

export const MIN_PRODUCTS_PER_CATEGORY = 2;

/**
 * Label-encodes the categories in sorted order and holds out `validationSplit`
 * of each category (at least one product) for validation. Stratifying keeps
 * every class on both sides even when products arrive category by category,
 * where Keras's "last 20%" would hold out whole classes.
 */
export function splitDataset(products: readonly ProductFeatures[], validationSplit: number, seed: number): Dataset {
  const byCategory = new Map<string, ProductFeatures[]>();
  for (const product of products) {
    if (product.category === null) continue;
    byCategory.set(product.category, [...(byCategory.get(product.category) ?? []), product]);
  }
  assertTrainable(new Map([...byCategory].map(([category, members]) => [category, members.length])));
  const classes = [...byCategory.keys()].sort();
  const random = seededRandom(seed);
  const train: LabelledSet = { features: [], labels: [] };
  const validation: LabelledSet = { features: [], labels: [] };
  classes.forEach((category, label) => {
    const members = shuffleInPlace([...byCategory.get(category)!], random);
    const held = Math.min(members.length - 1, Math.max(1, Math.round(members.length * validationSplit)));
    members.forEach((product, i) => {
      const set = i < held ? validation : train;
      set.features.push(product.features);
      set.labels.push(label);
    });
  });
  return { classes, train, validation };
}

/** Throws NOT_ENOUGH_TRAINING_DATA unless there are two categories and each can give a validation sample. */
export function assertTrainable(productsPerCategory: ReadonlyMap<string, number>): void {
  const small = [...productsPerCategory].filter(([, count]) => count < MIN_PRODUCTS_PER_CATEGORY).map(([c]) => c);
  if (productsPerCategory.size < 2) {
    throw new DomainError(
      'NOT_ENOUGH_TRAINING_DATA',
      `training needs products in at least two categories; found ${productsPerCategory.size}`,
    );
  }
  if (small.length > 0) {
    throw new DomainError(
      'NOT_ENOUGH_TRAINING_DATA',
      `every category needs at least ${MIN_PRODUCTS_PER_CATEGORY} products; too few in: ${small.sort().join(', ')}`,
    );
  }
}
