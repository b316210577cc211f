import { choose, type Facet, type FacetSelection } from '../facets';

interface Props {
  facets: readonly Facet[];
  selection: FacetSelection;
  onChange: (selection: FacetSelection) => void;
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
        <button type="button" class="link" onClick={() => onChange({})}>
          Clear attribute filters
        </button>
      )}
    </form>
  );
}

function FacetControl({ facet, selection, onChange }: { facet: Facet; selection: FacetSelection; onChange: (selection: FacetSelection) => void }) {
  const { key } = facet;
  const chosen = selection[key];
  if (facet.kind === 'boolean') {
    return (
      <label class="facet toggle">
        <input
          type="checkbox"
          checked={chosen !== undefined}
          onChange={(event) => onChange(choose(selection, key, (event.currentTarget as HTMLInputElement).checked ? { kind: 'boolean' } : undefined))}
        />
        {key}
      </label>
    );
  }
  if (facet.kind === 'number') {
    const range = chosen?.kind === 'number' ? chosen : { kind: 'number' as const };
    const bound = (side: 'min' | 'max') => (event: Event) => {
      const text = (event.currentTarget as HTMLInputElement).value.trim();
      const value = text === '' ? undefined : Number(text);
      if (value === undefined || Number.isFinite(value)) onChange(choose(selection, key, { ...range, [side]: value }));
    };
    return (
      <fieldset class="facet range">
        <legend>{key}</legend>
        {(['min', 'max'] as const).map((side) => (
          <label key={side}>
            <span class="visually-hidden">{key} </span>
            {side === 'min' ? 'from' : 'to'}
            <input type="number" step="any" inputMode="decimal" value={range[side] ?? ''} placeholder={String(facet[side])} onChange={bound(side)} />
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
              onChange(choose(selection, key, { kind: 'string', values: on ? [...values, value] : values.filter((v) => v !== value) }));
            }}
          />
          {value}
        </label>
      ))}
    </fieldset>
  );
}
