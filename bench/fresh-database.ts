// A database of the benchmark's own on an operator's Postgres server.
import pg from 'pg';

/** A fresh database named `<prefix>_<time>` with pgvector on `server`, dropped by the returned function. */
export async function freshDatabase(server: string, prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${Date.now()}`;
  const admin = `${server}/postgres`;
  await withClient(admin, (client) => client.query(`create database ${name}`));
  const url = `${server}/${name}`;
  await withClient(url, (client) => client.query('create extension if not exists vector'));
  return { url, drop: () => withClient(admin, (client) => client.query(`drop database ${name} with (force)`)).then(() => {}) };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
