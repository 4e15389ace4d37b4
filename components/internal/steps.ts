/**
 * Construction in steps: a builder written as a generator `yield`s after each service it has
 * built, and its caller either runs it through at once ({@link runAll}, for a component
 * constructor, which cannot wait) or lets the event loop turn at each step ({@link runPaced}).
 *
 * Why pausing matters: the Pulumi SDK registers a resource asynchronously, so while a program
 * builds synchronously every registration it has started is still pending, and everything a
 * pending registration holds (its promises, its serialized inputs, the Outputs it will resolve)
 * stays alive until the program returns. Built in one go, 500 services keep about 2 GB alive, and
 * half the run is the garbage collector copying it (docs/benchmarks.md, "Construction in steps").
 * With a turn of the event loop after each service, the registrations made so far go on to the
 * engine and their working state is freed as the program goes. What is registered, with which
 * inputs, names and dependencies, is the same either way.
 *
 * No Pulumi here: the runners only drive generators.
 */

/** A builder that yields after each unit of work and returns what it built. */
export type Steps<T> = Generator<void, T, void>;

/** Runs every step at once, synchronously; returns what the builder returned. */
export function runAll<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** A turn of the event loop: pending I/O callbacks and promise reactions run before the next step. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs the steps with `pause` (a turn of the event loop by default) after each; resolves to what the builder returned. */
export async function runPaced<T>(steps: Steps<T>, pause: () => Promise<void> = nextTurn): Promise<T> {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await pause();
  }
}
