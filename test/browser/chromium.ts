import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";

/** What every browser test shares: Debian's Chromium, where screenshots go, and axe-core's source to inject. */
export const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = path.join(path.resolve(import.meta.dirname, "../.."), "test", "browser", "artifacts");
export const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * Launches Chromium headless, quiet (no background networking, updates or sync) and with the
 * artifacts folder made. Its popup blocker stays on unless told otherwise, as in a buyer's browser.
 */
export async function launchChromium(options: { popupBlocker?: boolean } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `No Chromium at ${CHROMIUM}: install it with \`apt-get update && apt-get install -y chromium\` ` +
        `(docs/contributing/tests.md, "Browser tests").`,
    );
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    ...(options.popupBlocker ? { ignoreDefaultArgs: ["--disable-popup-blocking"] } : {}),
  });
}
