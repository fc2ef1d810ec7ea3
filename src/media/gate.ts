// How much of the machine media processing may take. The server runs on two cores shared with
// the web process, the worker and the database, so the pipeline works on few things at a time:
// sharp (libvips) with one thread and no operation cache (media/sharp.ts), and at most N images decoded at once
// (a decoded 8-megapixel photo is ~100 MB of pixels while it is resized), and at most M ffmpeg
// transcodes at once. Callers above wait their turn here instead of each bringing the box down.

/** A counting semaphore: run() waits for a free slot, then holds it until the task settles. */
export class Semaphore {
  #limit: number;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  get limit(): number {
    return this.#limit;
  }

  setLimit(limit: number): void {
    this.#limit = Math.max(1, Math.floor(limit));
    this.#wake();
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active++;
    try {
      return await task();
    } finally {
      this.#active--;
      this.#wake();
    }
  }

  #wake(): void {
    while (this.#active < this.#limit && this.#waiting.length > 0) {
      this.#active++;
      this.#waiting.shift()!();
    }
  }
}

/** Images decoded at once (default 1; configureMediaPipeline() changes it). */
export const imageGate = new Semaphore(1);
/** ffmpeg transcodes at once (default 1). */
export const ffmpegGate = new Semaphore(1);

/** For the server's configuration or a benchmark: how many images / transcodes run at once. */
export function setMediaConcurrency(options: { images?: number; ffmpeg?: number }): void {
  if (options.images !== undefined) imageGate.setLimit(options.images);
  if (options.ffmpeg !== undefined) ffmpegGate.setLimit(options.ffmpeg);
}
