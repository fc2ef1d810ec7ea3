// The media pipeline (src/media) as the domain uses it: sniff, limits, ffmpeg, processing.
import type { MediaPipeline } from "./media-processing.ts";
import { sniffAccepted } from "../../media/sniff.ts";
import { acceptedMimeTypes, ffmpegAvailable, MEDIA_LIMITS, processMedia, processThumbnail } from "../../media/pipeline.ts";

export const srcMediaPipeline: MediaPipeline = {
  sniff: (file) => sniffAccepted(file),
  // An animated GIF becomes a looping video: it is held to the video limit, as the pipeline holds it.
  limitFor: (sniffed) => (sniffed.kind === "image" && sniffed.mime !== "image/gif" ? MEDIA_LIMITS.imageBytes : MEDIA_LIMITS.videoBytes),
  ffmpegAvailable: () => ffmpegAvailable(),
  acceptedMimeTypes: (ffmpeg) => acceptedMimeTypes(ffmpeg),
  process: (file, _sniffed, workDir) => processMedia(file, { workDir }),
  thumbnail: (file, workDir) => processThumbnail(file, workDir),
};
