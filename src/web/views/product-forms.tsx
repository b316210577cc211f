import { useState } from 'preact/hooks';
import { ErrorMessage } from '../components/error-message';
import { AddProductDocument, DeleteProductDocument } from '../generated/graphql';
import { ApiError, request } from '../graphql-client';
import { productHref } from '../route';
import { asApiError } from '../use-query';

type Outcome = { ok: preact.ComponentChildren } | { error: ApiError } | undefined;

interface Props {
  /** Undefined where writes need no token. */
  adminToken: string | undefined;
  /** Told after each add and delete. */
  onChanged: () => void;
}

/** Staff add a product (its image is analysed on the way in) or delete one by id. */
export function ProductForms({ adminToken, onChanged }: Props) {
  const [added, setAdded] = useState<Outcome>();
  const [deleted, setDeleted] = useState<Outcome>();

  async function add(event: Event) {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    const file = form.get('image');
    setAdded(undefined);
    try {
      if (!(file instanceof File) || file.size === 0) throw new ApiError('choose the product’s image', 'BAD_USER_INPUT');
      const category = String(form.get('category') ?? '').trim();
      const { addProduct } = await request(
        AddProductDocument,
        { input: { sku: String(form.get('sku')), name: String(form.get('name')), category: category || null, image: await dataUrl(file) } },
        adminToken,
      );
      formElement.reset();
      onChanged();
      setAdded({ ok: <>Added <a href={productHref(addProduct.product.id)}>{addProduct.product.name}</a> (id {addProduct.product.id}).</> });
    } catch (failure) {
      setAdded({ error: asApiError(failure) });
    }
  }

  async function remove(event: Event) {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const id = String(new FormData(formElement).get('id')).trim();
    setDeleted(undefined);
    try {
      await request(DeleteProductDocument, { id }, adminToken);
      formElement.reset();
      onChanged();
      setDeleted({ ok: `Deleted product ${id}.` });
    } catch (failure) {
      setDeleted({ error: asApiError(failure) });
    }
  }

  return (
    <section aria-labelledby="products-title" class="staff-forms">
      <h2 id="products-title">Products</h2>
      <form onSubmit={add} aria-labelledby="add-title">
        <h3 id="add-title">Add a product</h3>
        <label>
          SKU <input name="sku" required maxLength={128} autoComplete="off" />
        </label>
        <label>
          Name <input name="name" required maxLength={512} autoComplete="off" />
        </label>
        <label>
          Category <input name="category" maxLength={128} autoComplete="off" />
        </label>
        <label>
          Image <input name="image" type="file" accept="image/*" required />
        </label>
        <button type="submit">Add product</button>
        <OutcomeLine outcome={added} />
      </form>
      <form onSubmit={remove} aria-labelledby="delete-title">
        <h3 id="delete-title">Delete a product</h3>
        <label>
          Product id <input name="id" required inputMode="numeric" autoComplete="off" />
        </label>
        <button type="submit" class="danger">Delete product</button>
        <OutcomeLine outcome={deleted} />
      </form>
    </section>
  );
}

function OutcomeLine({ outcome }: { outcome: Outcome }) {
  if (!outcome) return null;
  if ('error' in outcome) return <ErrorMessage error={outcome.error} />;
  return <p role="status">{outcome.ok}</p>;
}

function dataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(new ApiError(`${file.name} could not be read`, 'INVALID_IMAGE'));
    reader.readAsDataURL(file);
  });
}
