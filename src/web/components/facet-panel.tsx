import { useState } from 'preact/hooks';
import { choose, type Facet, type FacetChoice, type FacetSelection } from '../facets';

export type SelectionUpdate = (current: FacetSelection) => FacetSelection;

const rangeOf = (choice: FacetChoice | undefined) => (choice?.kind === 'number' ? choice : { kind: 'number' as const });

interface Props {
  facets: readonly Facet[];
  selection: FacetSelection;
  /** Given an update of the selection as it stands when it runs: two changes before a render both land. */
  onChange: (update: SelectionUpdate) => void;
  /** What the facets narrow, for the form's name: "the catalog", "the similar items". */
  narrows: string;
}

/** A control per attribute key: a toggle for a boolean, a range for a number, choices for strings. */
export function FacetPanel({ facets, selection, onChange, narrows }: Props) {
  if (facets.length === 0) return null;
  return (
    <form class="facets" aria-label={`Narrow ${narrows} by attributes`} onSubmit={(event) => event.preventDefault()}>
      {facets.map((facet) => (
        <FacetControl key={facet.key} facet={facet} selection={selection} onChange={onChange} />
      ))}
      {Object.keys(selection).length > 0 && (
        <button type="button" class="link" onClick={() => onChange(() => ({}))}>
          Clear attribute filters
        </button>
      )}
    </form>
  );
}

function FacetControl({ facet, selection, onChange }: { facet: Facet; selection: FacetSelection; onChange: (update: SelectionUpdate) => void }) {
  const { key } = facet;
  const chosen = selection[key];
  if (facet.kind === 'boolean') {
    return (
      <label class="facet toggle">
        <input
          type="checkbox"
          checked={chosen !== undefined}
          onChange={(event) => {
            const on = (event.currentTarget as HTMLInputElement).checked;
            onChange((current) => choose(current, key, on ? { kind: 'boolean' } : undefined));
          }}
        />
        {key}
      </label>
    );
  }
  if (facet.kind === 'number') {
    const range = rangeOf(chosen);
    const commit = (side: 'min' | 'max') => (text: string) => {
      const value = text === '' ? undefined : Number(text);
      if (value === undefined || Number.isFinite(value)) onChange((current) => choose(current, key, { ...rangeOf(current[key]), [side]: value }));
    };
    return (
      <fieldset class="facet range">
        <legend>{key}</legend>
        {(['min', 'max'] as const).map((side) => (
          <label key={side}>
            <span class="visually-hidden">{key} </span>
            {side === 'min' ? 'from' : 'to'}
            <BoundInput value={range[side]} placeholder={String(facet[side])} onCommit={commit(side)} />
          </label>
        ))}
      </fieldset>
    );
  }
  const values = chosen?.kind === 'string' ? chosen.values : [];
  return (
    <fieldset class="facet choices">
      <legend>{key}</legend>
      {facet.values.map((value) => (
        <label key={value}>
          <input
            type="checkbox"
            checked={values.includes(value)}
            onChange={(event) => {
              const on = (event.currentTarget as HTMLInputElement).checked;
              onChange((current) => {
                const now = current[key];
                const held = now?.kind === 'string' ? now.values : [];
                return choose(current, key, { kind: 'string', values: on ? [...held, value] : held.filter((v) => v !== value) });
              });
            }}
          />
          {value}
        </label>
      ))}
    </fieldset>
  );
}

/**
 * A range's bound, committed on Enter or leaving the field. What is typed
 * before that is kept here: a render in between (the answer to the other
 * bound arriving) would otherwise put the committed value back into the
 * field, and the Enter after it would commit that instead.
 */
function BoundInput({ value, placeholder, onCommit }: { value: number | undefined; placeholder: string; onCommit: (text: string) => void }) {
  const [draft, setDraft] = useState<string | undefined>(undefined);
  return (
    <input
      type="number"
      step="any"
      inputMode="decimal"
      value={draft ?? value ?? ''}
      placeholder={placeholder}
      onInput={(event) => setDraft((event.currentTarget as HTMLInputElement).value)}
      onChange={(event) => {
        setDraft(undefined);
        onCommit((event.currentTarget as HTMLInputElement).value.trim());
      }}
    />
  );
}
