import { sql, type Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.js';

/** As if the run's process had not beaten for `seconds`: the passing of time, without the wait. */
export async function silenceRun(db: Kysely<DB>, runId: number, seconds: number): Promise<void> {
  await sql`update training_runs set heartbeat_at = now() - make_interval(secs => ${seconds}) where id = ${runId}`.execute(db);
}
