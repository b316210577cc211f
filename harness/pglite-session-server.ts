import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST = 80_877_103;
const CANCEL_REQUEST = 80_877_102;
const SYNC = Uint8Array.of(0x53, 0, 0, 0, 4);
const ROLLBACK = simpleQuery('rollback');

/**
 * PGlite served over the Postgres wire protocol to several clients, one
 * session turn at a time. PGlite is a single Postgres session. pglite-socket
 * (0.2.17) shares it among its clients message by message: outside an
 * explicit transaction one client's Bind can meet another's Parse of the
 * unnamed statement, and its statements can run in another's implicit
 * transaction (test/harness/pglite-session-server.db.test.ts shows both). Here a
 * client holds the session from its first message until Postgres says it is
 * ready for a query outside any transaction block, so an extended-protocol
 * exchange and a whole transaction run as they would on a backend of their
 * own, and the others wait, as for a lock.
 *
 * Limits, as one session has them: session state (SET, named statements,
 * session advisory locks) is shared by every client, so two clients'
 * `pg_advisory_lock` do not exclude each other; a client that waits on
 * another connection while it holds a transaction open waits forever.
 */
export class PGliteSessionServer {
  readonly #server: Server;
  readonly #waiting: Connection[] = [];
  #holder: Connection | undefined;
  #busy = false;

  constructor(private readonly db: PGlite) {
    this.#server = createServer((socket) => this.#accept(socket));
  }

  /** Listens on `host:port` (0: a free one) and resolves with the address clients connect to. */
  async listen(host: string, port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => resolve());
    });
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    return `${host}:${address.port}`;
  }

  async close(): Promise<void> {
    for (const connection of [...this.#waiting, ...(this.#holder ? [this.#holder] : [])]) connection.socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: Socket): void {
    socket.setNoDelay(true);
    const connection: Connection = { socket, received: Buffer.alloc(0), messages: [], started: false, gone: false };
    socket.on('data', (data) => {
      connection.received = Buffer.concat([connection.received, data]);
      this.#frame(connection);
      this.#schedule(connection);
    });
    const leave = () => {
      if (connection.gone) return;
      connection.gone = true;
      connection.messages.length = 0;
      const at = this.#waiting.indexOf(connection);
      if (at >= 0) this.#waiting.splice(at, 1);
      void this.#pump();
    };
    socket.on('close', leave);
    socket.on('error', leave);
  }

  /** Cuts the bytes received into whole protocol messages; answers SSL and cancel requests itself. */
  #frame(connection: Connection): void {
    for (;;) {
      const buffer = connection.received;
      if (!connection.started) {
        if (buffer.length < 8) return;
        const length = buffer.readInt32BE(0);
        const code = buffer.readInt32BE(4);
        if (code === SSL_REQUEST) {
          connection.socket.write('N');
        } else if (code === CANCEL_REQUEST) {
          // One session has nothing to cancel apart; the request's connection just ends.
          connection.socket.end();
        } else {
          if (buffer.length < length) return;
          connection.messages.push(new Uint8Array(buffer.subarray(0, length)));
          connection.started = true;
        }
        connection.received = buffer.subarray(length);
        continue;
      }
      if (buffer.length < 5) return;
      const length = 1 + buffer.readInt32BE(1);
      if (buffer.length < length) return;
      const message = new Uint8Array(buffer.subarray(0, length));
      connection.received = buffer.subarray(length);
      if (message[0] === 0x58 /* Terminate */) {
        connection.socket.end();
        return;
      }
      connection.messages.push(message);
    }
  }

  #schedule(connection: Connection): void {
    if (connection !== this.#holder && connection.messages.length > 0 && !this.#waiting.includes(connection)) this.#waiting.push(connection);
    void this.#pump();
  }

  /** Runs the holder's next message, or hands the session to the next client waiting; one message at a time. */
  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (;;) {
        const holder = this.#holder;
        if (holder?.gone) {
          await this.#release(holder);
          continue;
        }
        if (holder) {
          const message = holder.messages.shift();
          if (!message) return;
          const ready = await this.#execute(holder, message);
          if (ready && !this.db.isInTransaction()) {
            this.#holder = undefined;
            if (holder.messages.length > 0) this.#waiting.push(holder);
          }
          continue;
        }
        const next = this.#waiting.shift();
        if (!next) return;
        this.#holder = next;
      }
    } finally {
      this.#busy = false;
    }
  }

  /** Runs one message and sends the answer; true when the answer ends with the session ready for a query. */
  async #execute(connection: Connection, message: Uint8Array): Promise<boolean> {
    const answer = new BackendMessageScanner();
    try {
      await this.db.runExclusive(() =>
        this.db.execProtocolRawStream(message, {
          onRawData: (data) => {
            answer.scan(data);
            if (!connection.gone) connection.socket.write(Buffer.from(data));
          },
        }),
      );
    } catch (error) {
      connection.socket.destroy(error as Error);
      connection.gone = true;
    }
    return answer.ready;
  }

  /** A client that left while it held the session: close its exchange and roll its transaction back. */
  async #release(connection: Connection): Promise<void> {
    const discard = { onRawData: () => {} };
    try {
      await this.db.runExclusive(async () => {
        await this.db.execProtocolRawStream(SYNC, discard);
        if (this.db.isInTransaction()) await this.db.execProtocolRawStream(ROLLBACK, discard);
      });
    } catch (error) {
      console.error(`pglite-session-server: could not roll back after a client left: ${String(error)}`);
    } finally {
      if (this.#holder === connection) this.#holder = undefined;
    }
  }
}

interface Connection {
  readonly socket: Socket;
  received: Buffer;
  readonly messages: Uint8Array[];
  started: boolean;
  gone: boolean;
}

/** Follows the backend's message boundaries across chunks to see whether a ReadyForQuery went by last. */
class BackendMessageScanner {
  #header: number[] = [];
  #remaining = 0;
  ready = false;

  scan(data: Uint8Array): void {
    for (let i = 0; i < data.length; ) {
      if (this.#remaining > 0) {
        const skip = Math.min(this.#remaining, data.length - i);
        this.#remaining -= skip;
        i += skip;
        continue;
      }
      this.#header.push(data[i++]!);
      if (this.#header.length < 5) continue;
      const [type, a, b, c, d] = this.#header as [number, number, number, number, number];
      this.ready = type === 0x5a /* ReadyForQuery */;
      this.#remaining = ((a << 24) | (b << 16) | (c << 8) | d) - 4;
      this.#header = [];
    }
  }
}

function simpleQuery(text: string): Uint8Array {
  const body = Buffer.from(`${text}\0`);
  const message = Buffer.alloc(5 + body.length);
  message.write('Q', 0);
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return new Uint8Array(message);
}
