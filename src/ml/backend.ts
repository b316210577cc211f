import * as tf from '@tensorflow/tfjs';
import type { EventEmitter } from 'node:events';
import type { BackendChoice } from '../config.js';

export type BackendName = Exclude<BackendChoice, 'auto'>;

// GPU build first: it also runs on CPU when no GPU is visible.
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

/**
 * Makes the chosen TensorFlow.js backend the active one in this thread and
 * returns its name. 'auto' takes the first of `candidates` that loads (by
 * default tensorflow (native), wasm, cpu); an explicit choice loads or throws.
 */
export async function selectBackend(
  choice: BackendChoice,
  candidates: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'],
): Promise<BackendName> {
  if (choice !== 'auto') {
    await activate(choice);
    return choice;
  }
  const failures: string[] = [];
  for (const name of candidates) {
    try {
      await activate(name);
      return name;
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  throw new Error(`no TensorFlow.js backend could be started: ${failures.join('; ')}`);
}

async function activate(name: BackendName): Promise<void> {
  if (name === 'tensorflow') await registerNative();
  // The wasm package registers its backend on import; in Node it finds its
  // .wasm files beside its own bundle, so no setWasmPaths is needed.
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  const started = await keepProcessHandlers(() => tf.setBackend(name)).catch(() => false);
  if (!started || tf.getBackend() !== name) {
    throw new Error(`TensorFlow.js backend "${name}" failed to initialise`);
  }
}

/**
 * The wasm module's Emscripten glue installs process-wide listeners that
 * rethrow every uncaught exception and unhandled rejection. They would turn
 * any later crash of the service into exit code 7 preceded by a dump of the
 * glue's minified source; Node's own handling is kept instead.
 */
async function keepProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  const emitter: EventEmitter = process;
  const events = ['uncaughtException', 'unhandledRejection'];
  const before = events.map((event) => new Set(emitter.listeners(event)));
  try {
    return await start();
  } finally {
    events.forEach((event, i) => {
      for (const listener of emitter.listeners(event)) {
        if (!before[i]!.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    });
  }
}

async function registerNative(): Promise<void> {
  const failures: string[] = [];
  for (const specifier of NATIVE_PACKAGES) {
    try {
      // A variable specifier: these optional packages are often not installed,
      // and the type checker must not insist on them.
      await import(specifier);
      break;
    } catch (error) {
      failures.push(`${specifier}: ${firstLine(error)}`);
    }
  }
  if (!tf.findBackendFactory('tensorflow')) {
    const reason = failures.length > 0 ? failures.join('; ') : 'it registered with another copy of @tensorflow/tfjs';
    throw new Error(`TensorFlow.js backend "tensorflow" is not available (${reason})`);
  }
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0] ?? message;
}
