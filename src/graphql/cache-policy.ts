import {
  getNamedType,
  isCompositeType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type ConstDirectiveNode,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/** How long, and by whom, an answer may be kept; undefined when it may not be kept at all. */
export interface CachePolicy {
  maxAge: number;
  scope: 'PUBLIC' | 'PRIVATE';
}

/**
 * The cache policy of an operation, from the schema's @cacheControl hints
 * alone, before it runs: the hints Apollo's cache-control plugin applies to
 * each field it resolves, over every field the operation (and each fragment
 * of its document) selects. Resolvers set no hints of their own, so the
 * answer's own policy is never stricter than this one. Only queries are kept.
 */
export function operationCachePolicy(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  defaultMaxAge: number,
): CachePolicy | undefined {
  if (operation.operation !== 'query') return undefined;
  const root = schema.getQueryType();
  let maxAge: number | undefined;
  let scope: CachePolicy['scope'] = 'PUBLIC';
  const typeInfo = new TypeInfo(schema);
  const visitor = visitWithTypeInfo(typeInfo, {
    Field() {
      const field = typeInfo.getFieldDef();
      // Introspection and __typename: fixed by the schema.
      if (!field || field.name.startsWith('__')) return;
      const returned = getNamedType(field.type);
      const hint: CacheHint = { ...(isCompositeType(returned) ? hintOf(returned.astNode?.directives) : {}), ...hintOf(field.astNode?.directives) };
      const fieldMaxAge = hint.maxAge ?? (isCompositeType(returned) || typeInfo.getParentType() === root ? defaultMaxAge : undefined);
      if (fieldMaxAge !== undefined) maxAge = Math.min(maxAge ?? fieldMaxAge, fieldMaxAge);
      if (hint.scope === 'PRIVATE') scope = 'PRIVATE';
    },
  });
  for (const definition of document.definitions) {
    if (definition === operation || definition.kind === Kind.FRAGMENT_DEFINITION) visit(definition, visitor);
  }
  return maxAge ? { maxAge, scope } : undefined;
}

type CacheHint = Partial<CachePolicy>;

/** What a @cacheControl directive says; inheritMaxAge is not used by this schema. */
function hintOf(directives: readonly ConstDirectiveNode[] | undefined): CacheHint {
  const directive = directives?.find((d) => d.name.value === 'cacheControl');
  const hint: CacheHint = {};
  for (const argument of directive?.arguments ?? []) {
    if (argument.name.value === 'maxAge' && argument.value.kind === Kind.INT) hint.maxAge = Number(argument.value.value);
    if (argument.name.value === 'scope' && argument.value.kind === Kind.ENUM) hint.scope = argument.value.value as CachePolicy['scope'];
  }
  return hint;
}
