/**
 * One lock per model: alias moves, loads for a promotion and the end of a registration run one
 * at a time for a model, so two of them never interleave their switch. Other models go on.
 */
export class ModelLocks {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `task` once every earlier task of `model` has settled. */
  run<T>(model: string, task: () => Promise<T> | T): Promise<T> {
    const previous = this.#tails.get(model) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(model, tail);
    void tail.then(() => {
      if (this.#tails.get(model) === tail) this.#tails.delete(model);
    });
    return result;
  }
}
