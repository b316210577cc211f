import { DomainError, productNotFound } from '../errors.js';

const MAX_ID = 2_147_483_647;

/** Ids are positive 32-bit integers; anything else names nothing. */
export function parseId(id: string): number | undefined {
  const value = /^[1-9]\d{0,9}$/.test(id) ? Number(id) : NaN;
  return value <= MAX_ID ? value : undefined;
}

export function productId(id: string): number {
  const value = parseId(id);
  if (value === undefined) throw productNotFound(id);
  return value;
}

export function modelVersionId(id: string): number {
  const value = parseId(id);
  if (value === undefined) throw new DomainError('MODEL_VERSION_NOT_FOUND', 'that id names no model version');
  return value;
}

export function encodeCursor(id: number): string {
  return Buffer.from(`product:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const id = /^product:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString())?.[1];
  const value = id === undefined ? undefined : parseId(id);
  if (value === undefined) throw new DomainError('BAD_USER_INPUT', 'after is not a cursor this service returned', { field: 'after' });
  return value;
}

/** A nearDuplicates position: after the pair (a, b). */
export function encodePairCursor(position: { a: number; b: number }): string {
  return Buffer.from(`pair:${position.a}:${position.b}`).toString('base64url');
}

export function decodePairCursor(cursor: string): { a: number; b: number } {
  const ids = /^pair:(\d+):(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  const a = ids ? parseId(ids[1]!) : undefined;
  const b = ids ? parseId(ids[2]!) : undefined;
  if (a === undefined || b === undefined) throw new DomainError('BAD_USER_INPUT', 'after is not a cursor nearDuplicates returned', { field: 'after' });
  return { a, b };
}
