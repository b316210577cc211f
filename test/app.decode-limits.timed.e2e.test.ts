import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { graphql } from '../harness/graphql-client.js';
import { twelveBitAvif } from './support/image-bombs.js';
import { decodeGauges, untilGauges } from './support/decode-gauges.js';

const SIMILAR = 'query ($image: String!) { similarToImage(image: $image) { space } }';
let app: App;

before(async () => {
  app = await startApp(
    loadConfig({
      DATA_DIR: 'memory://',
      PORT: '0',
      FEATURE_WORKERS: '1',
      LOG_LEVEL: 'silent',
      MAX_FULL_DECODE_PIXELS: String(4000 * 4000),
      IMAGE_DECODE_TIMEOUT_MS: '300',
    }),
  );
});
after(() => app.stop());

test('an AVIF over MAX_FULL_DECODE_PIXELS is IMAGE_TOO_LARGE from its header, and nothing is decoded', async () => {
  const avif = (await twelveBitAvif(4001, 4000)).toString('base64');
  const began = performance.now();
  const { errors } = await graphql(app.url, SIMILAR, { image: avif });
  assert.equal(errors?.[0]?.extensions?.code, 'IMAGE_TOO_LARGE');
  assert.equal(errors[0].extensions.maxPixels, 4000 * 4000);
  assert.ok(performance.now() - began < 1000, 'answered from the header');
  assert.deepEqual(await decodeGauges(app.url), { running: 0, waiting: 0 });
});

test('a decode past IMAGE_DECODE_TIMEOUT_MS is IMAGE_DECODE_TIMEOUT, and its decoder is taken until libheif is done', async () => {
  // 4000x4000 at 12 bits takes about a second, which libvips cannot cut short.
  const avif = (await twelveBitAvif(4000)).toString('base64');
  const began = performance.now();
  const { errors } = await graphql(app.url, SIMILAR, { image: avif });
  const seconds = (performance.now() - began) / 1000;
  assert.equal(errors?.[0]?.extensions?.code, 'IMAGE_DECODE_TIMEOUT');
  assert.equal(errors[0].extensions.timeoutMs, 300);
  assert.ok(seconds < 0.9, `answered after ${seconds.toFixed(2)} s`);
  assert.equal((await decodeGauges(app.url)).running, 1, 'the decoder is still taken');
  await untilGauges(app.url, ({ running }) => running === 0, 10_000);
});
