import { GraphQLError, GraphQLScalarType } from 'graphql';

/** A file part of a multipart GraphQL request, received whole and counted by the edge before the operation runs. */
export class UploadedFile {
  constructor(
    readonly bytes: Uint8Array,
    readonly filename: string,
    readonly mimetype: string,
  ) {}
}

/** `scalar Upload`: only the edge's multipart parser makes its values, so it is never a literal and never an output. */
export const Upload = new GraphQLScalarType<UploadedFile, never>({
  name: 'Upload',
  parseValue(value) {
    if (value instanceof UploadedFile) return value;
    throw new GraphQLError('an Upload is a file part of a multipart request (the GraphQL multipart request spec), with its variable null in `operations`');
  },
  parseLiteral() {
    throw new GraphQLError('an Upload can only be a variable, filled from a file part of a multipart request');
  },
  serialize() {
    throw new GraphQLError('an Upload is never an output');
  },
});
