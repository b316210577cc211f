import { sql, type Expression, type RawBuilder } from 'kysely';

// Binary travels as base64 text: PGlite serializes a bytea parameter byte by
// byte on the event loop (about 6 s for the 10 MB of a head's weights, against
// 0.6 s as base64), and `pg` is no slower this way.

export function toBytea(bytes: Uint8Array): RawBuilder<Uint8Array> {
  return sql<Uint8Array>`decode(${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}, 'base64')`;
}

/** A bytea column by name, or any bytea expression, as base64 text. */
export function byteaAsBase64(bytea: string | Expression<Uint8Array>): RawBuilder<string> {
  return sql<string>`encode(${typeof bytea === 'string' ? sql.ref(bytea) : bytea}, 'base64')`;
}

export function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}
