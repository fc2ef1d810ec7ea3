// Fedify's MessageQueue over Skein's JobQueue: outgoing and incoming activities wait in the
// database, so a crash loses none of them. Fedify retries failed deliveries itself
// (nativeRetrial = false); the job queue's own retry only covers handlers that throw.
import type { MessageQueue, MessageQueueDepth, MessageQueueEnqueueOptions, MessageQueueListenOptions } from "@fedify/fedify";
import type { JobQueue } from "./job-queue.ts";

export const FEDIFY_QUEUE = "fedify";

export class DatabaseMessageQueue implements MessageQueue {
  readonly nativeRetrial = false;
  private readonly jobs: JobQueue;
  private readonly concurrency: number;

  constructor(jobs: JobQueue, concurrency = 16) {
    this.jobs = jobs;
    this.concurrency = concurrency;
  }

  enqueue(message: unknown, options?: MessageQueueEnqueueOptions): Promise<void> {
    return this.enqueueMany([message], options);
  }

  enqueueMany(messages: readonly unknown[], options?: MessageQueueEnqueueOptions): Promise<void> {
    return this.jobs.enqueue(FEDIFY_QUEUE, messages, {
      delayMs: options?.delay ? options.delay.total({ unit: "milliseconds" }) : 0,
      orderingKey: options?.orderingKey ?? null,
    });
  }

  listen(handler: (message: any) => Promise<void> | void, options?: MessageQueueListenOptions): Promise<void> {
    return this.jobs.listen(FEDIFY_QUEUE, handler, { concurrency: this.concurrency, signal: options?.signal });
  }

  async getDepth(): Promise<MessageQueueDepth> {
    const depth = await this.jobs.depth(FEDIFY_QUEUE);
    return { queued: depth.ready + depth.delayed, ready: depth.ready, delayed: depth.delayed };
  }
}
