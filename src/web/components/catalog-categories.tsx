import { CatalogCategoriesDocument } from '../generated/graphql';
import { useQuery } from '../use-query';

interface Props {
  id: string;
  name: string;
  /** The category in the address, which may name none of the catalog's. */
  current: string | undefined;
}

/** A select of the catalog's categories with their product counts, largest first. */
export function CatalogCategories({ id, name, current }: Props) {
  const { data } = useQuery(CatalogCategoriesDocument, {});
  const categories = data?.categories ?? [];
  // The catalog matches categories ignoring case (as src/catalog/category.ts folds it), so the address may spell one differently.
  const fold = (category: string) => category.toUpperCase().toLowerCase();
  const listed = current === undefined ? undefined : categories.find((c) => fold(c.name) === fold(current));
  return (
    <select id={id} name={name} value={listed?.name ?? current ?? ''}>
      <option value="">All categories</option>
      {categories.map((c) => (
        <option key={c.name} value={c.name}>
          {c.name} ({c.productCount})
        </option>
      ))}
      {current !== undefined && !listed && <option value={current}>{data ? `${current} (no products)` : current}</option>}
    </select>
  );
}
