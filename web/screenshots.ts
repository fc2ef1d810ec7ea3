// `node web/screenshots.ts`: the web client's screenshots in docs/screenshots/ (shown in the
// README), made from the ones test/e2e/web-client.test.ts takes (test/artifacts/, SQLite run):
// the top of each page, at most 1100 × 900 pixels, as a palette PNG (a few tens of KB each).
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";

const ROOT = path.resolve(import.meta.dirname, "..");
const FROM = path.join(ROOT, "test", "artifacts");
const TO = path.join(ROOT, "docs", "screenshots");
// docs name ← the test's screenshot (home as the test leaves it while a picture is described).
const PAGES: [string, string][] = [
  ["home", "compose-media"],
  ["thread", "thread"],
  ["profile", "profile"],
  ["notifications", "notifications"],
];

fs.mkdirSync(TO, { recursive: true });
for (const [name, shot] of PAGES) {
  const source = path.join(FROM, `web-client-${shot}-sqlite.png`);
  if (!fs.existsSync(source)) throw new Error(`${source} is missing: run ./skein test --db sqlite test/e2e/web-client.test.ts first`);
  const { width = 0, height = 0 } = await sharp(source).metadata();
  const target = path.join(TO, `web-${name}.png`);
  await sharp(source)
    .extract({ left: 0, top: 0, width: Math.min(width, 1100), height: Math.min(height, 900) })
    .png({ palette: true, quality: 80, compressionLevel: 9 })
    .toFile(target);
  process.stdout.write(`${path.relative(ROOT, target)}: ${fs.statSync(target).size} bytes\n`);
}
