import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The one-line shell command of the README's code block that follows `lead`. */
async function readmeCommand(lead: string): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(lead);
  assert.ok(at >= 0, `README has no "${lead}"`);
  const block = /```sh\n([^\n]+)\n```/.exec(readme.slice(at));
  assert.ok(block, `no sh block after "${lead}"`);
  return block[1]!;
}

test("CI runs the README's test command, verbatim", async () => {
  const command = await readmeCommand('Run the tests');
  const ci = (await readFile(join(ROOT, '.ci', 'run'), 'utf8')).split('\n');
  assert.ok(ci.includes(command), `.ci/run does not run: ${command}`);
});

test("the README's commands run as root too, where there is no sudo", async () => {
  for (const lead of ['## Quick start', 'Run the tests']) {
    assert.doesNotMatch(await readmeCommand(lead), /\bsudo\b/, lead);
  }
});
