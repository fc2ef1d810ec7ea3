// nodemailer, loaded when the first mail is composed: most processes (CLI commands, web processes
// of a big server) never send one, and loading it costs ~0.2 s of CPU and memory at every start.
import type { Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import type StreamTransport from "nodemailer/lib/stream-transport/index.js";

/** A transporter made with `options` on first use, the same one afterwards. */
export class LazyTransporter {
  readonly #options: SMTPTransport.Options | StreamTransport.Options;
  #made: Promise<Transporter> | null = null;

  constructor(options: SMTPTransport.Options | StreamTransport.Options) {
    this.#options = options;
  }

  get(): Promise<Transporter> {
    return (this.#made ??= import("nodemailer").then(({ default: nodemailer }) => nodemailer.createTransport(this.#options) as Transporter));
  }

  /** Closes the transporter if one was made (never loads nodemailer just to close it). */
  async close(): Promise<void> {
    if (this.#made) (await this.#made).close();
  }
}
