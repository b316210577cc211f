import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, MAX_LOGGED_STRING } from '../../src/http/logger.js';

function capture() {
  const lines: Record<string, any>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, log: createLogger({ logLevel: 'info' }, sink) };
}

/** A driver's error: its own fields hold the statement and its parameters. */
function databaseError(message: string) {
  return Object.assign(new Error(message), { code: '22P02', detail: 'Key (sku)=(secret-sku) exists', parameters: ['secret-parameter'], query: 'insert into products ...' });
}

test('the message and every string field, nested ones too, are cut to MAX_LOGGED_STRING', () => {
  const { lines, log } = capture();
  const long = 'x'.repeat(5 * MAX_LOGGED_STRING);
  log.info({ field: long, nested: { list: [long] } }, long);
  log.warn(`%s and ${long}`, long);
  for (const line of lines) {
    for (const text of [line.msg, line.field, line.nested?.list?.[0]].filter((value) => value !== undefined)) {
      assert.ok(text.length <= MAX_LOGGED_STRING + 40, `${text.length} characters`);
    }
  }
  assert.equal(lines.length, 2);
});

test('an error is logged as its name, code and message cut to the cap, under any key and as the message', () => {
  const { lines, log } = capture();
  const error = databaseError(`invalid input: ${'y'.repeat(5 * MAX_LOGGED_STRING)}`);
  log.error(error);
  log.error({ err: error });
  log.error({ error }, 'unexpected error');
  log.error({ context: { cause: error } }, 'nested');
  const serialized = JSON.stringify(lines);
  for (const secret of ['secret-sku', 'secret-parameter', 'insert into', 'stack', 'at ']) assert.ok(!serialized.includes(secret), secret);
  assert.deepEqual(Object.keys(lines[2]!.error).sort(), ['code', 'message', 'name']);
  assert.equal(lines[3]!.context.cause.code, '22P02');
  for (const line of lines) assert.ok(line.msg.length <= MAX_LOGGED_STRING + 40, `${line.msg.length} characters`);
});
