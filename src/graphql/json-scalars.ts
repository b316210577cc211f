import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped, type ValueNode } from 'graphql';
import type { AttributeScalar } from '../domain/attribute-condition.js';
import type { Attributes } from '../domain/attributes.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function objectOf(name: string, value: unknown): Record<string, unknown> {
  if (!isObject(value)) throw new GraphQLError(`${name} must be a JSON object`);
  return value;
}

function objectLiteral(name: string, node: ValueNode, variables?: Record<string, unknown> | null): Record<string, unknown> {
  if (node.kind !== Kind.OBJECT) throw new GraphQLError(`${name} must be a JSON object`);
  return objectOf(name, valueFromASTUntyped(node, variables));
}

/** A JSON object whose shape the domain checks (domain/attributes.ts), so a refusal names the key at fault. */
export const AttributesScalar = new GraphQLScalarType<Attributes, Attributes>({
  name: 'Attributes',
  parseValue: (value) => objectOf('attributes', value) as Attributes,
  parseLiteral: (node, variables) => objectLiteral('attributes', node, variables) as Attributes,
  serialize: (value) => objectOf('attributes', value) as Attributes,
});

export const JSONObjectScalar = new GraphQLScalarType<Record<string, unknown>, Record<string, unknown>>({
  name: 'JSONObject',
  parseValue: (value) => objectOf('JSONObject', value),
  parseLiteral: (node, variables) => objectLiteral('JSONObject', node, variables),
  serialize: (value) => objectOf('JSONObject', value),
});

function attributeValue(value: unknown): AttributeScalar {
  if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw new GraphQLError('an AttributeValue is a string, a finite number or a boolean');
}

export const AttributeValueScalar = new GraphQLScalarType<AttributeScalar, AttributeScalar>({
  name: 'AttributeValue',
  parseValue: attributeValue,
  parseLiteral(node) {
    switch (node.kind) {
      case Kind.STRING:
        return node.value;
      case Kind.BOOLEAN:
        return node.value;
      case Kind.INT:
      case Kind.FLOAT:
        return attributeValue(Number(node.value));
      default:
        throw new GraphQLError('an AttributeValue is a string, a finite number or a boolean');
    }
  },
  serialize: attributeValue,
});
