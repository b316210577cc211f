import { useState } from 'preact/hooks';
import { UpdateProductAttributesDocument } from '../generated/graphql';
import { ApiError, request } from '../graphql-client';
import { asApiError } from '../use-query';
import type { Attributes } from '../facets';
import { ErrorMessage } from './error-message';

type Outcome = 'saved' | ApiError | undefined;

/** Staff replace a product's attributes with a JSON object; the service checks each key and value. */
export function AttributeEditor({ id, attributes, adminToken, onSaved }: { id: string; attributes: Attributes; adminToken: string; onSaved: () => void }) {
  const [text, setText] = useState(() => JSON.stringify(attributes, null, 2));
  const [outcome, setOutcome] = useState<Outcome>();

  async function save(event: Event) {
    event.preventDefault();
    setOutcome(undefined);
    try {
      await request(UpdateProductAttributesDocument, { id, attributes: parseAttributes(text) }, adminToken);
      setOutcome('saved');
      onSaved();
    } catch (failure) {
      setOutcome(asApiError(failure));
    }
  }

  const failed = outcome instanceof ApiError;
  return (
    <form class="attribute-editor" onSubmit={save} aria-labelledby="edit-attributes-title">
      <h3 id="edit-attributes-title">Edit attributes (staff)</h3>
      <label for="attributes-json">Attributes as a JSON object</label>
      <textarea
        id="attributes-json"
        rows={Math.min(12, text.split('\n').length + 1)}
        spellcheck={false}
        value={text}
        onInput={(event) => setText((event.currentTarget as HTMLTextAreaElement).value)}
        aria-invalid={failed}
        aria-describedby={failed ? 'attributes-error' : undefined}
      />
      <button type="submit">Save attributes</button>
      {outcome === 'saved' && <p role="status">Saved.</p>}
      {failed && <ErrorMessage error={outcome} id="attributes-error" />}
    </form>
  );
}

/** Refuses here what is not a JSON object at all; the service judges the keys and values. */
function parseAttributes(text: string): Attributes {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ApiError(`not JSON: ${(error as Error).message}`, 'BAD_USER_INPUT');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError('the attributes must be a JSON object, such as {"price": 12}', 'BAD_USER_INPUT');
  return value as Attributes;
}
