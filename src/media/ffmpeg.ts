// Running ffmpeg and ffprobe on files nobody vetted. Every child process is:
// - spawned without a shell, with an argument array (no file name is ever parsed as a command);
// - given a hard deadline, after which it is killed (SIGKILL: a wedged decoder gets no say);
// - read with capped stdout/stderr buffers (a chatty decoder cannot fill memory);
// - run with -nostdin, the input demuxer named by us from the sniffed type (`-f`, never guessed
//   from a name or probed from content) and `-protocol_whitelist file`, the input given as
//   `file:<absolute path>` — so a crafted playlist or reference cannot make ffmpeg open a URL,
//   a device or another file;
// - writing only to paths the pipeline chose inside the job's workDir.
import { spawn } from "node:child_process";
import path from "node:path";
import { MediaError } from "./types.ts";

let ffmpegBinary = "ffmpeg";
let ffprobeBinary = "ffprobe";
let availability: Promise<boolean> | null = null;

/** Points the pipeline at another ffmpeg (FFMPEG_PATH: the ffmpeg binary; ffprobe is taken from
 * the same folder). Resets the cached availability. */
export function setFfmpegPath(ffmpegPath: string | null): void {
  ffmpegBinary = ffmpegPath || "ffmpeg";
  ffprobeBinary = ffmpegPath ? path.join(path.dirname(ffmpegPath), "ffprobe") : "ffprobe";
  availability = null;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  timeoutMs: number;
  cwd?: string;
  /** Bytes of stdout kept (default 1 MiB); the rest is discarded. */
  stdoutCap?: number;
  /** Bytes of stderr kept (default 16 KiB). */
  stderrCap?: number;
}

/** Runs a program with an argument array; never throws for a non-zero exit (the caller reads `code`). */
export function runProcess(command: string, args: string[], options: RunOptions): Promise<RunResult> {
  const stdoutCap = options.stdoutCap ?? 1024 * 1024;
  const stderrCap = options.stderrCap ?? 16 * 1024;
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(command, args, {
        shell: false,
        stdio: ["ignore", "pipe", "pipe"],
        cwd: options.cwd,
        // Only what a decoder needs; no credentials from the server's environment reach it.
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C" },
        windowsHide: true,
      });
    } catch (error) {
      resolve({ code: null, stdout: "", stderr: String(error), timedOut: false });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    child.stdout.on("data", (chunk: Buffer) => {
      if (outBytes < stdoutCap) out.push(chunk.subarray(0, stdoutCap - outBytes));
      outBytes += chunk.length;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      if (errBytes < stderrCap) err.push(chunk.subarray(0, stderrCap - errBytes));
      errBytes += chunk.length;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    const finish = (code: number | null, failure?: unknown) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8") + (failure ? String(failure) : ""),
        timedOut,
      });
    };
    child.on("error", (error) => finish(null, error));
    child.on("close", (code) => finish(code));
  });
}

/** Whether ffmpeg and ffprobe both run (checked once, then cached). */
export function ffmpegAvailable(): Promise<boolean> {
  availability ??= (async () => {
    const [a, b] = await Promise.all([
      runProcess(ffmpegBinary, ["-hide_banner", "-version"], { timeoutMs: 10_000, stdoutCap: 4096 }),
      runProcess(ffprobeBinary, ["-hide_banner", "-version"], { timeoutMs: 10_000, stdoutCap: 4096 }),
    ]);
    return a.code === 0 && b.code === 0;
  })();
  return availability;
}

/** The demuxer for each accepted type: ffmpeg never picks one itself. */
const DEMUXERS: Record<string, string> = {
  "video/mp4": "mov",
  "video/x-m4v": "mov",
  "video/quicktime": "mov",
  "audio/mp4": "mov",
  "video/webm": "matroska",
  "audio/mpeg": "mp3",
  "audio/ogg": "ogg",
  "audio/wav": "wav",
  "audio/flac": "flac",
  "image/gif": "gif",
  "image/apng": "apng",
};

export function demuxerFor(mime: string): string {
  const demuxer = DEMUXERS[mime];
  if (!demuxer) throw new MediaError("unsupported", `Files of type ${mime} cannot be transcoded.`);
  return demuxer;
}

/** The input arguments every ffmpeg run starts with (`beforeInput`: input options such as -ss). */
export function inputArgs(inputPath: string, mime: string, beforeInput: string[] = []): string[] {
  return ["-nostdin", "-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file", ...beforeInput, "-f", demuxerFor(mime), "-i", `file:${path.resolve(inputPath)}`];
}

/** Runs ffmpeg; a failure becomes a MediaError with a user-readable message (stderr is for logs). */
export async function runFfmpeg(args: string[], timeoutMs: number, failure: string): Promise<void> {
  const result = await runProcess(ffmpegBinary, args, { timeoutMs });
  if (result.timedOut) throw new MediaError("too_large", `${failure}: processing took too long.`);
  if (result.code !== 0) throw new MediaError("invalid", `${failure}: the file is damaged or uses an unsupported codec.`);
}

export interface ProbedVideo {
  codec: string;
  /** As displayed (a 90° rotation in the container's display matrix swaps them). */
  width: number;
  height: number;
  rotation: number;
  /** "30/1", "30000/1001" */
  frameRate: string;
  fps: number;
  pixFmt: string;
}

export interface ProbedAudio {
  codec: string;
  profile: string | null;
  sampleRate: number | null;
  channels: number;
  channelLayout: string | null;
  bitrate: number | null;
}

export interface Probe {
  formatName: string;
  duration: number | null;
  bitrate: number | null;
  video: ProbedVideo | null;
  audio: ProbedAudio | null;
}

function rate(text: unknown): { text: string; value: number } | null {
  if (typeof text !== "string") return null;
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m || Number(m[2]) === 0 || Number(m[1]) === 0) return null;
  return { text, value: Number(m[1]) / Number(m[2]) };
}

const num = (value: unknown): number | null => {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
};

/** ffprobe's view of a file (streams and container), read with the same input restrictions. */
export async function probe(inputPath: string, mime: string): Promise<Probe> {
  const result = await runProcess(
    ffprobeBinary,
    ["-hide_banner", "-v", "error", "-protocol_whitelist", "file", "-f", demuxerFor(mime), "-print_format", "json", "-show_format", "-show_streams", `file:${path.resolve(inputPath)}`],
    { timeoutMs: 30_000 },
  );
  if (result.timedOut) throw new MediaError("invalid", "The file could not be read in time.");
  let data: { streams?: Array<Record<string, unknown>>; format?: Record<string, unknown> };
  try {
    data = JSON.parse(result.stdout || "{}");
  } catch {
    data = {};
  }
  if (result.code !== 0 || !data.format) throw new MediaError("invalid", "The file is damaged or not a media file this server can read.");
  const streams = data.streams ?? [];
  // An MP3's or M4A's cover art is a "video" stream with the attached_pic disposition: not a video.
  const v = streams.find((s) => s.codec_type === "video" && !(s.disposition as Record<string, number> | undefined)?.attached_pic);
  const a = streams.find((s) => s.codec_type === "audio");
  let video: ProbedVideo | null = null;
  if (v) {
    const sideData = (v.side_data_list as Array<Record<string, unknown>> | undefined) ?? [];
    const rotation = Math.abs(num(sideData.find((d) => d.rotation !== undefined)?.rotation) ?? num((v.tags as Record<string, unknown> | undefined)?.rotate) ?? 0) % 180;
    const w = num(v.width) ?? 0;
    const h = num(v.height) ?? 0;
    const fr = rate(v.avg_frame_rate) ?? rate(v.r_frame_rate);
    video = {
      codec: String(v.codec_name ?? ""),
      width: rotation === 90 ? h : w,
      height: rotation === 90 ? w : h,
      rotation,
      frameRate: fr?.text ?? "0/1",
      fps: fr?.value ?? 0,
      pixFmt: String(v.pix_fmt ?? ""),
    };
  }
  const audio: ProbedAudio | null = a
    ? {
        codec: String(a.codec_name ?? ""),
        profile: typeof a.profile === "string" ? a.profile : null,
        sampleRate: num(a.sample_rate),
        channels: num(a.channels) ?? 0,
        channelLayout: typeof a.channel_layout === "string" ? a.channel_layout : null,
        bitrate: num(a.bit_rate),
      }
    : null;
  return { formatName: String(data.format.format_name ?? ""), duration: num(data.format.duration), bitrate: num(data.format.bit_rate), video, audio };
}
