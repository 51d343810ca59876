/**
 * The entry of a model process (forked by `workers/model-process.ts`, never exported): wires
 * the IPC channel to a {@link ModelRuntime}. It exits as soon as its channel closes, so a
 * server that dies (even by `kill -9`) leaves no model process behind.
 */
import type { ChildToParent, ParentToChild } from '../protocol.js';
import { ModelRuntime } from './model-runtime.js';

const runtime = new ModelRuntime((message: ChildToParent) => {
  process.send?.(message);
});

// Messages are handled one at a time, in order: a prediction never overtakes the load.
let queue: Promise<void> = Promise.resolve();
process.on('message', (message: ParentToChild) => {
  queue = queue.then(() => runtime.handle(message));
});
process.on('disconnect', () => process.exit(0));
