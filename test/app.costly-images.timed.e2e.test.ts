import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { startApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { graphql } from '../harness/graphql-client.js';
import { readPhoto } from '../harness/photos.js';
import { twelveBitAvif } from './support/image-bombs.js';
import { untilGauges } from './support/decode-gauges.js';

// The attack, smaller: 30 aliases of similarToImage on a 12-bit
// AVIF that takes about half a second and 200 MB to decode, with the default
// decode settings (two decoders, 1 GiB of decode cost). One file stands for
// thirty an attacker would make distinct, so the image cache is off: it would
// answer the file's second sending without a decode.
let app: App;
let hostileQuery: string;
let photo: string;

before(async () => {
  app = await startApp(loadConfig({ DATA_DIR: 'memory://', PORT: '0', FEATURE_WORKERS: '1', LOG_LEVEL: 'silent', IMAGE_CACHE_BYTES: '0' }));
  const avif = (await twelveBitAvif(3000)).toString('base64');
  hostileQuery = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: similarToImage(image: "${avif}") { space }`).join(' ')} }`;
  photo = (await sharp(await readPhoto('chelsea.png')).jpeg().toBuffer()).toString('base64');
});
after(() => app.stop());

/** Sends the hostile request; the returned controller hangs up on it. */
function sendHostile(): AbortController {
  const client = new AbortController();
  fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: hostileQuery }), signal: client.signal }).catch(() => {});
  return client;
}

test('with 30 costly AVIFs of one request in flight, a photo search answers within a few seconds', async () => {
  const hostile = sendHostile();
  try {
    await untilGauges(app.url, ({ running, waiting }) => running > 0 && waiting > 0, 10_000);
    const began = performance.now();
    const answer = await graphql(app.url, 'query ($image: String!) { similarToImage(image: $image) { space neighbours { rank } } }', { image: photo });
    const seconds = (performance.now() - began) / 1000;
    assert.equal(answer.errors, undefined);
    assert.ok(seconds < 5, `the photo search took ${seconds.toFixed(1)} s`);
  } finally {
    hostile.abort();
    await untilGauges(app.url, ({ running, waiting }) => running === 0 && waiting === 0, 20_000);
  }
});

test('a client that hangs up on 30 costly AVIFs leaves no decode waiting at once, and none running once those started end', async () => {
  const hostile = sendHostile();
  await untilGauges(app.url, ({ running, waiting }) => running > 0 && waiting > 0, 10_000);
  hostile.abort();
  await untilGauges(app.url, ({ waiting }) => waiting === 0, 1_000);
  // The two decodes already running cannot be stopped inside libheif: a few seconds, not 30 decodes.
  await untilGauges(app.url, ({ running }) => running === 0, 8_000);
});
