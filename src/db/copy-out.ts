import type { PGlite } from '@electric-sql/pglite';
import { sql, type Expression, type RawBuilder } from 'kysely';
import type pg from 'pg';

// Both drivers turn every field of an ordinary result into a JavaScript
// string, which costs more than the server took to produce it when rows are
// kilobytes of vector. Postgres's binary COPY sends the same rows in the
// types' binary forms, and both drivers can hand its output over whole:
// `pg` to a submittable query (below), PGlite as the blob of a COPY to
// '/dev/blob'. So a statement built by copyOut answers through Kysely like
// any other, with one row holding the bytes; the database layer's dialects
// run it (database.ts, pglite-dialect.ts).

export interface CopyOutput {
  /** The rows in Postgres's binary COPY format: see CopyReader. */
  copy: Buffer;
}

const OPENING = 'copy (';
const CLOSING = ') to stdout (format binary)';

/** The query's rows as one CopyOutput row. COPY takes no parameters: values in the query must be sql.lit. */
export function copyOut(query: Expression<unknown>): RawBuilder<CopyOutput> {
  return sql<CopyOutput>`${sql.raw(OPENING)}${query}${sql.raw(CLOSING)}`;
}

export function isCopyOut(statement: string): boolean {
  return statement.startsWith(OPENING) && statement.endsWith(CLOSING);
}

/** Runs a copyOut statement on PGlite, where COPY's output reaches JavaScript as a blob. */
export async function pgliteCopyOut(pglite: Pick<PGlite, 'query'>, statement: string): Promise<CopyOutput> {
  const result = await pglite.query(`${statement.slice(0, -CLOSING.length)}) to '/dev/blob' (format binary)`);
  return { copy: Buffer.from(await result.blob!.arrayBuffer()) };
}

/**
 * Runs a copyOut statement on a `pg` client. node-pg reads COPY's output
 * only through a submittable query, which sees each message's bytes while
 * they lie in the connection's buffer: they are copied out as they come.
 */
export function pgCopyOut(client: pg.Client, statement: string): Promise<CopyOutput> {
  return new Promise((resolve, reject) => client.query(new CopyOutQuery(statement, (error, copy) => (error ? reject(error) : resolve({ copy: copy! })))));
}

/** What the last COPY output took: the next starts with as much, pages of a read being alike. */
let lastLength = 65_536;

/**
 * Outputs a reader is done with, whose memory the next outputs fill: a
 * large read (a million vectors, 2 GB) then allocates a few pages instead
 * of one per statement, and each new page's external memory no longer
 * drives the garbage collector to mark the heap again (a fifth of a load's
 * main thread before). Held only while a reader hands them back.
 */
const spare: Buffer[] = [];
const MAX_SPARE = 16;

/** Hands an output's memory to the next COPY outputs: the caller no longer reads `output.copy`. */
export function recycleCopyOutput(output: CopyOutput): void {
  const { buffer } = output.copy;
  if (spare.length < MAX_SPARE && buffer.byteLength >= 65_536) spare.push(Buffer.from(buffer, 0, buffer.byteLength));
}

/** Lets the spare outputs go, once a large read is over. */
export function dropSpareCopyOutputs(): void {
  spare.length = 0;
}

class CopyOutQuery implements pg.Submittable {
  #bytes = spare.pop() ?? Buffer.allocUnsafe(lastLength);
  #length = 0;

  constructor(
    readonly text: string,
    /** Called once; pg wraps it to enforce the client's query_timeout. */
    public callback: (error: Error | null, copy?: Buffer) => void,
  ) {}

  submit(connection: pg.Connection): void {
    connection.query(this.text);
  }

  handleCopyData({ chunk }: { chunk: Buffer }): void {
    if (this.#length + chunk.length > this.#bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.#bytes.length, this.#length + chunk.length));
      this.#bytes.copy(grown, 0, 0, this.#length);
      this.#bytes = grown;
    }
    this.#length += chunk.copy(this.#bytes, this.#length);
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {
    lastLength = Math.max(this.#length, 65_536);
    this.callback(null, this.#bytes.subarray(0, this.#length));
  }

  handleError(error: Error): void {
    this.callback(error);
  }
}

/**
 * Reads a binary COPY output tuple by tuple, field by field: a signature
 * and header, then per tuple an int16 field count and per field an int32
 * length (-1 for null) and that many bytes, then an int16 -1.
 */
export class CopyReader {
  /** Where the current field's bytes begin. */
  start = 0;
  #at: number;

  constructor(readonly bytes: Buffer) {
    if (!bytes.subarray(0, SIGNATURE.length).equals(SIGNATURE)) throw new Error('not a binary COPY output');
    // The signature, an int32 of flags, then the length of a header extension and the extension.
    this.#at = SIGNATURE.length + 8 + bytes.readInt32BE(SIGNATURE.length + 4);
  }

  /** Moves to the next tuple; false after the last. */
  nextTuple(): boolean {
    if (this.#at >= this.bytes.length) return false;
    const fields = this.bytes.readInt16BE(this.#at);
    this.#at += 2;
    return fields !== -1;
  }

  /** Moves to the tuple's next field, which then begins at `start`: its length, -1 for null. */
  field(): number {
    const length = this.bytes.readInt32BE(this.#at);
    this.start = this.#at + 4;
    this.#at = this.start + Math.max(length, 0);
    return length;
  }
}

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
