import type { Readable } from 'node:stream';
import { Busboy, type BusboyFileStream, type BusboyInstance } from '@fastify/busboy';
import type { FastifyRequest } from 'fastify';
import { UploadedFile } from '../graphql/upload.js';
import { EdgeRefusal } from './edge-refusal.js';

export interface MultipartLimits {
  /** The `operations` and `map` fields, each. */
  maxFieldBytes: number;
  maxFiles: number;
  maxFileBytes: number;
}

/** Parses a JSON field; throws an EdgeRefusal when it is malformed or too costly to parse. */
export type JsonFieldParser = (text: Buffer, field: string) => unknown;

const refused = (message: string) => new EdgeRefusal(400, 'BAD_REQUEST', message);

/**
 * A GraphQL multipart request (github.com/jaydenseric/graphql-multipart-request-spec):
 * `operations`, then `map`, then the files, read from the counted body
 * stream. Each file is held whole (ResNet50 needs all of it) and put where
 * the map says, as an UploadedFile the `Upload` scalar accepts. One
 * operation per request, as for JSON bodies.
 */
export function parseGraphQLMultipart(request: FastifyRequest, body: Readable, limits: MultipartLimits, parseJson: JsonFieldParser): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let operations: Record<string, unknown> | undefined;
    let map: Map<string, string[]> | undefined;
    const pending = new Set<string>();
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      body.unpipe(parser);
      // Read to the end and dropped, so the client sees the answer instead of a reset.
      body.resume();
      reject(error);
    };

    let parser: BusboyInstance;
    try {
      parser = new Busboy({
        headers: request.headers as { 'content-type': string },
        limits: { fields: 2, fieldSize: limits.maxFieldBytes, files: limits.maxFiles, fileSize: limits.maxFileBytes, parts: limits.maxFiles + 2 },
      });
    } catch {
      reject(refused('a multipart body needs a boundary in its Content-Type'));
      return;
    }

    parser.on('field', (name: string, value: string, _nameTruncated: boolean, truncated: boolean) => {
      if (truncated) return fail(new EdgeRefusal(413, 'PAYLOAD_TOO_LARGE', `the ${name.slice(0, 40)} field is over ${limits.maxFieldBytes} bytes`));
      try {
        if (name === 'operations' && operations === undefined && map === undefined) operations = operationsOf(parseJson(Buffer.from(value), name));
        else if (name === 'map' && operations !== undefined && map === undefined) map = fileMap(parseJson(Buffer.from(value), name), limits.maxFiles, pending);
        else fail(refused('a multipart GraphQL request sends operations, then map, then the files'));
      } catch (error) {
        fail(error as Error);
      }
    });
    parser.on('file', (name: string, stream: BusboyFileStream, filename: string, _encoding: string, mimetype: string) => {
      const paths = map?.get(name);
      if (!operations || !paths || !pending.delete(name)) {
        stream.resume();
        return fail(refused(`file part ${JSON.stringify(name.slice(0, 40))} is not named in map, or comes before it`));
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(new EdgeRefusal(413, 'PAYLOAD_TOO_LARGE', `file part ${JSON.stringify(name.slice(0, 40))} is over the image limit of ${limits.maxFileBytes} bytes`)));
      stream.on('end', () => {
        if (settled || stream.truncated) return;
        const file = new UploadedFile(new Uint8Array(Buffer.concat(chunks)), filename, mimetype);
        try {
          for (const path of paths) place(operations!, path, file);
        } catch (error) {
          fail(error as Error);
        }
      });
    });
    for (const limit of ['filesLimit', 'partsLimit', 'fieldsLimit'] as const) {
      parser.on(limit, () => fail(new EdgeRefusal(413, 'PAYLOAD_TOO_LARGE', `a multipart GraphQL request carries at most ${limits.maxFiles} files`)));
    }
    parser.on('error', (error: Error) => fail(error instanceof EdgeRefusal ? error : refused('the multipart body is malformed')));
    parser.on('finish', () => {
      if (settled) return;
      if (!operations || !map) return fail(refused('a multipart GraphQL request needs the operations and map fields'));
      if (pending.size > 0) return fail(refused(`map names file parts the request does not carry: ${[...pending].slice(0, 5).join(', ')}`));
      settled = true;
      resolve(operations);
    });
    // An error of the counted body (the budget, a slow client) is the answer.
    body.once('error', fail);
    body.pipe(parser);
  });
}

function operationsOf(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw refused('operations must be one GraphQL request object; batches are not served');
  return value as Record<string, unknown>;
}

function fileMap(value: unknown, maxFiles: number, pending: Set<string>): Map<string, string[]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw refused('map must be an object of file part names to paths');
  const entries = Object.entries(value);
  if (entries.length > maxFiles) throw new EdgeRefusal(413, 'PAYLOAD_TOO_LARGE', `a multipart GraphQL request carries at most ${maxFiles} files`);
  const map = new Map<string, string[]>();
  for (const [name, paths] of entries) {
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((path) => typeof path === 'string')) throw refused(`map.${name.slice(0, 40)} must be a list of paths`);
    map.set(name, paths as string[]);
    pending.add(name);
  }
  return map;
}

/** Puts the file where `path` (as `variables.inputs.0.imageFile`) points: only into variables, only where the client left null. */
function place(operations: Record<string, unknown>, path: string, file: UploadedFile): void {
  const keys = path.split('.');
  const last = keys.pop()!;
  if (keys[0] !== 'variables') throw refused(`map path ${JSON.stringify(path.slice(0, 80))} is not under variables`);
  let target: unknown = operations;
  for (const key of keys) {
    target = Object.hasOwn(target as object, key) ? (target as Record<string, unknown>)[key] : undefined;
    if (typeof target !== 'object' || target === null) throw refused(`map path ${JSON.stringify(path.slice(0, 80))} names no place in operations`);
  }
  if ((target as Record<string, unknown>)[last] !== null) throw refused(`map path ${JSON.stringify(path.slice(0, 80))} must point at a null in operations`);
  (target as Record<string, unknown>)[last] = file;
}
