import type { Kysely } from 'kysely';
import { ProductRepository } from './product.repository.js';
import type { DB } from './schema.js';

export interface Repositories {
  readonly products: ProductRepository;
}

/** The repositories, plus transactions that hand out repositories bound to them. */
export class Store implements Repositories {
  readonly products: ProductRepository;

  constructor(private readonly db: Kysely<DB>) {
    this.products = new ProductRepository(db);
  }

  transaction<T>(work: (repositories: Repositories) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(new Store(trx)));
  }
}
