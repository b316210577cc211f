import type { ProductFeatures } from '../domain/product.js';
import type { ExcludedCategory } from '../domain/training-run.js';
import { DomainError } from '../errors.js';
import { seededRandom, shuffleInPlace } from '../util/seeded-random.js';

export interface LabelledSet {
  features: Float32Array[];
  /** Index into `classes`. */
  labels: number[];
}

export interface Dataset {
  /** Category names, sorted: a label is a position in this list. */
  classes: string[];
  excluded: ExcludedCategory[];
  train: LabelledSet;
  validation: LabelledSet;
}

/** One product to train on and one to validate with: the least any category can bring to a run. */
export const MIN_PRODUCTS_PER_CATEGORY = 2;

/**
 * Label-encodes the categories with at least `minProducts` products in sorted
 * order, and holds out `validationSplit` of each (at least one product) for
 * validation. Stratifying keeps every class on both sides even when products
 * arrive category by category, where Keras's "last 20%" would hold out whole
 * classes.
 */
export function splitDataset(products: readonly ProductFeatures[], validationSplit: number, seed: number, minProducts: number): Dataset {
  const byCategory = new Map<string, ProductFeatures[]>();
  for (const product of products) {
    if (product.category === null) continue;
    let members = byCategory.get(product.category);
    if (!members) byCategory.set(product.category, (members = []));
    members.push(product);
  }
  const { classes, excluded } = planCategories(
    new Map([...byCategory].map(([category, members]) => [category, members.length])),
    minProducts,
  );
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
  return { classes, excluded, train, validation };
}

/**
 * The categories a run trains on, sorted, and those it leaves out for having
 * fewer than `minProducts` products. Throws NOT_ENOUGH_TRAINING_DATA unless
 * two categories are left to tell apart.
 */
export function planCategories(
  productsPerCategory: ReadonlyMap<string, number>,
  minProducts: number,
): { classes: string[]; excluded: ExcludedCategory[] } {
  if (!Number.isInteger(minProducts) || minProducts < MIN_PRODUCTS_PER_CATEGORY) {
    throw new RangeError(`a category needs at least ${MIN_PRODUCTS_PER_CATEGORY} products to train on, got ${minProducts}`);
  }
  const categories = [...productsPerCategory].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const classes = categories.filter(([, count]) => count >= minProducts).map(([category]) => category);
  const excluded = categories.filter(([, count]) => count < minProducts).map(([category, products]) => ({ category, products }));
  if (classes.length < 2) {
    throw new DomainError(
      'NOT_ENOUGH_TRAINING_DATA',
      `training needs at least two categories with ${minProducts} or more products each; ` +
        `found ${classes.length}, and ${excluded.length} with fewer`,
    );
  }
  return { classes, excluded };
}
