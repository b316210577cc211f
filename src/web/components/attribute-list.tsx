import { Fragment } from 'preact';
import type { Attributes } from '../facets';

/** A product's attributes, key by key, in alphabetical order: the API's JSON objects keep no order. */
export function AttributeList({ attributes }: { attributes: Attributes }) {
  const entries = Object.entries(attributes).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <p>No attributes.</p>;
  return (
    <dl class="facts attributes">
      {entries.map(([key, value]) => (
        <Fragment key={key}>
          <dt>{key}</dt>
          <dd>
            <AttributeValue name={key} value={value} />
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}

function AttributeValue({ name, value }: { name: string; value: Attributes[string] }) {
  if (Array.isArray(value)) return <>{value.join(', ')}</>;
  if (typeof value === 'boolean') return <>{value ? 'yes' : 'no'}</>;
  // Only a web link becomes a link: a javascript: or data: value stays text.
  if (name === 'url' && typeof value === 'string' && /^https?:\/\//i.test(value)) {
    return (
      <a href={value} rel="noopener noreferrer">
        {value}
      </a>
    );
  }
  return <>{String(value)}</>;
}
