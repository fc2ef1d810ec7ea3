// The pipeline's avatar/header and emoji processing (src/media) as the domain's ports take them.
import { processEmoji, processProfileImage } from "../../media/pipeline.ts";
import type { ProfileImageProcessor } from "./profile-images.ts";
import type { EmojiImageProcessor } from "../emojis/emoji-service.ts";

export const processProfileImageFile: ProfileImageProcessor = (input, kind, workDir) => processProfileImage(input, workDir, kind);
export const processEmojiFile: EmojiImageProcessor = (input, workDir) => processEmoji(input, workDir);
