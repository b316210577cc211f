import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

/**
 * What a document asks for, known from its text alone: it is measured before
 * validation, so it must stay linear in the document's size whatever the
 * document is (fragments spread in a chain of pairs, cycles, unknown names).
 */
export interface QueryShape {
  /** Field selections, every fragment counted once per spread. */
  fields: number;
  /** Selections of a field that its selection set already selects, under an alias or not. */
  aliases: number;
  /** Deepest nesting of fields: `{ service { catalogSize } }` is 2. */
  depth: number;
}

/** A selection set's shape, with how often it selects each field at its own level. */
interface SetShape {
  fields: number;
  /** Repeats inside the set's fields' own selection sets. */
  innerAliases: number;
  depth: number;
  names: ReadonlyMap<string, number>;
}

const NOTHING: SetShape = { fields: 0, innerAliases: 0, depth: 0, names: new Map() };

/** Every operation and every fragment of the document, as validation will walk them. */
export function measureQueryShape(document: DocumentNode): QueryShape {
  const definitions = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) definitions.set(definition.name.value, definition);
  }
  // Each fragment is measured once and multiplied by its spreads, so a chain
  // of fragments each spread twice costs its length, not two to its length.
  const measured = new Map<string, SetShape>();
  const measuring = new Set<string>();
  const fragment = (name: string): SetShape => {
    const known = measured.get(name);
    if (known) return known;
    const definition = definitions.get(name);
    // Unknown and cyclic spreads are validation's to report.
    if (!definition || measuring.has(name)) return NOTHING;
    measuring.add(name);
    const shape = measureSet(definition.selectionSet, fragment);
    measuring.delete(name);
    measured.set(name, shape);
    return shape;
  };

  const total: QueryShape = { fields: 0, aliases: 0, depth: 0 };
  const add = (shape: SetShape) => {
    total.fields += shape.fields;
    total.aliases += shape.innerAliases + repeats(shape.names);
    total.depth = Math.max(total.depth, shape.depth);
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) add(measureSet(definition.selectionSet, fragment));
  }
  for (const name of definitions.keys()) {
    if (!measured.has(name)) add(fragment(name));
  }
  return total;
}

function measureSet(set: SelectionSetNode, fragment: (name: string) => SetShape): SetShape {
  const names = new Map<string, number>();
  const select = (name: string, times: number) => names.set(name, (names.get(name) ?? 0) + times);
  let fields = 0;
  let innerAliases = 0;
  let depth = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const child = selection.selectionSet ? measureSet(selection.selectionSet, fragment) : NOTHING;
      select(selection.name.value, 1);
      fields += 1 + child.fields;
      innerAliases += child.innerAliases + repeats(child.names);
      depth = Math.max(depth, 1 + child.depth);
    } else {
      const inner = selection.kind === Kind.INLINE_FRAGMENT ? measureSet(selection.selectionSet, fragment) : fragment(selection.name.value);
      for (const [name, times] of inner.names) select(name, times);
      fields += inner.fields;
      innerAliases += inner.innerAliases;
      depth = Math.max(depth, inner.depth);
    }
  }
  return { fields, innerAliases, depth, names };
}

function repeats(names: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const times of names.values()) total += times - 1;
  return total;
}
