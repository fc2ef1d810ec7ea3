// Builds the web client (web/src) into web/dist with esbuild: one hashed script and one hashed
// stylesheet under web/dist/assets/, and web/dist/index.html naming them. `./skein start` and
// `./skein test` call ensureWebClientBuilt(), which rebuilds only when the sources changed: the
// fingerprint (a hash of every source file, this file and the versions of esbuild and preact) is
// kept in web/dist/build.json, so an up-to-date client costs a few milliseconds of hashing.
// Several processes may start at once (tests, `web` and `worker` processes): each builds into a
// folder of its own and moves it into place, so a server never reads a half-written build.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

export const WEB_ROOT = import.meta.dirname;
export const WEB_DIST = path.join(WEB_ROOT, "dist");
const SOURCES = path.join(WEB_ROOT, "src");
/** Where the server answers the hashed files (src/http/web/client.ts). */
export const ASSET_PREFIX = "/client-assets/";

export interface BuildInfo {
  fingerprint: string;
  script: string;
  stylesheet: string;
  /** Gzipped bytes of the first screen's JavaScript (all of it: the client is one bundle). */
  scriptGzipBytes: number;
}

function sourceFiles(): string[] {
  return fs.globSync("**/*", { cwd: SOURCES, withFileTypes: false }).filter((f) => fs.statSync(path.join(SOURCES, f)).isFile()).sort();
}

function fingerprint(): string {
  const hash = crypto.createHash("sha256");
  const require = createRequire(import.meta.url);
  for (const pkg of ["esbuild", "preact"]) hash.update(`${pkg}@${require(`${pkg}/package.json`).version}\n`);
  hash.update(fs.readFileSync(import.meta.filename));
  for (const file of sourceFiles()) {
    hash.update(`\n${file}\n`);
    hash.update(fs.readFileSync(path.join(SOURCES, file)));
  }
  return hash.digest("hex").slice(0, 32);
}

export function readBuildInfo(dist = WEB_DIST): BuildInfo | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dist, "build.json"), "utf8")) as BuildInfo;
  } catch {
    return null;
  }
}

/** Builds web/dist when it is missing or older than the sources; returns what is there. */
export async function ensureWebClientBuilt(options: { log?: (message: string) => void } = {}): Promise<BuildInfo> {
  const wanted = fingerprint();
  const current = readBuildInfo();
  if (current?.fingerprint === wanted) return current;
  options.log?.(current ? "web client sources changed: rebuilding web/dist" : "building the web client into web/dist");
  return build(wanted);
}

async function build(wanted: string): Promise<BuildInfo> {
  const esbuild = await import("esbuild");
  const staging = `${WEB_DIST}.building-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
  const assets = path.join(staging, "assets");
  const result = await esbuild.build({
    entryPoints: [path.join(SOURCES, "main.tsx")],
    bundle: true,
    format: "esm",
    target: ["es2022"],
    minify: true,
    sourcemap: false,
    jsx: "automatic",
    jsxImportSource: "preact",
    outdir: assets,
    entryNames: "[name]-[hash]",
    metafile: true,
    legalComments: "none",
    logLevel: "silent",
    tsconfig: path.join(WEB_ROOT, "tsconfig.json"),
  });
  const outputs = Object.keys(result.metafile.outputs).map((f) => path.basename(f));
  const script = outputs.find((f) => f.endsWith(".js"));
  const stylesheet = outputs.find((f) => f.endsWith(".css"));
  if (!script || !stylesheet) throw new Error(`the web client build made ${outputs.join(", ")}, not one script and one stylesheet`);
  const zlib = await import("node:zlib");
  const info: BuildInfo = {
    fingerprint: wanted,
    script,
    stylesheet,
    scriptGzipBytes: zlib.gzipSync(fs.readFileSync(path.join(assets, script)), { level: 9 }).length,
  };
  fs.writeFileSync(path.join(staging, "index.html"), indexHtml(info));
  fs.writeFileSync(path.join(staging, "build.json"), JSON.stringify(info, null, 2) + "\n");
  // Move the old build aside, then the new one in; another process may have won the race, and
  // then its build (of the same sources) stays.
  const old = `${WEB_DIST}.old-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
  try {
    fs.renameSync(WEB_DIST, old);
  } catch {
    // no build yet, or another process moved it
  }
  try {
    fs.renameSync(staging, WEB_DIST);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  fs.rmSync(old, { recursive: true, force: true });
  return readBuildInfo() ?? info;
}

/**
 * The page every client address answers with. No inline script or style (the CSP allows neither);
 * without JavaScript it still offers signing in, signing up and the public pages.
 */
function indexHtml(info: BuildInfo): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Skein</title>
<link rel="stylesheet" href="${ASSET_PREFIX}${info.stylesheet}">
<script type="module" src="${ASSET_PREFIX}${info.script}"></script>
</head>
<body>
<div id="app">
<main id="main" class="landing">
<h1>Skein</h1>
<noscript><p>The web client needs JavaScript. Without it you can still use this server's public pages or any Mastodon app.</p></noscript>
<p><a href="/about">About this server</a> · <a href="/public/local">Local timeline</a> · <a href="/auth/sign_in">Sign in</a> · <a href="/auth/sign_up">Sign up</a></p>
</main>
</div>
</body>
</html>
`;
}

// `node web/build.ts`: build now (when stale) and print the bundle's size.
if (import.meta.main) {
  const info = await ensureWebClientBuilt({ log: (m) => process.stderr.write(`${m}\n`) });
  process.stdout.write(`${info.script}: ${info.scriptGzipBytes} bytes gzipped; ${info.stylesheet}\n`);
}
