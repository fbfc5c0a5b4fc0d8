/**
 * What a merchant's logo must be, checked on its bytes (never on a declared type or file name): a
 * PNG or a JPEG of at most 100 KB whose header parses to sane dimensions. Pure: bytes in, the
 * image's type and size or the reason it is refused out.
 */

export const MAX_LOGO_BYTES = 100 * 1024;
export const MAX_LOGO_SIDE = 4096;

export type LogoType = "image/png" | "image/jpeg";
export interface LogoImage {
  content_type: LogoType;
  width: number;
  height: number;
}
export type LogoCheck = { ok: true; image: LogoImage } | { ok: false; message: string };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const u16 = (b: Uint8Array, i: number) => (b[i]! << 8) | b[i + 1]!;
const u32 = (b: Uint8Array, i: number) => ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
const ascii = (b: Uint8Array, i: number, n: number) => String.fromCharCode(...b.subarray(i, i + n));

/** The IHDR chunk comes first, 13 bytes: width, height, bit depth, colour type; the file ends with IEND. */
function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 8 + 25 + 12) return null;
  if (u32(bytes, 8) !== 13 || ascii(bytes, 12, 4) !== "IHDR") return null;
  const depth = bytes[24]!;
  const colour = bytes[25]!;
  if (![1, 2, 4, 8, 16].includes(depth) || ![0, 2, 3, 4, 6].includes(colour)) return null;
  if (ascii(bytes, bytes.length - 8, 4) !== "IEND") return null;
  return { width: u32(bytes, 16), height: u32(bytes, 20) };
}

/** Walks the JPEG's marker segments to its frame header (SOFn), which holds the height and width. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2; // standalone markers carry no length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image, or scan data before any frame header
    const length = u16(bytes, i + 2);
    if (length < 2 || i + 2 + length > bytes.length) return null;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (length < 8) return null;
      return { height: u16(bytes, i + 5), width: u16(bytes, i + 7) };
    }
    i += 2 + length;
  }
  return null;
}

export function checkLogo(bytes: Uint8Array): LogoCheck {
  if (bytes.length > MAX_LOGO_BYTES)
    return { ok: false, message: `The logo is ${bytes.length} bytes; it may be at most ${MAX_LOGO_BYTES} bytes (100 KB).` };
  let content_type: LogoType;
  let size: { width: number; height: number } | null;
  if (PNG_SIGNATURE.every((byte, index) => bytes[index] === byte)) {
    content_type = "image/png";
    size = pngSize(bytes);
  } else if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    content_type = "image/jpeg";
    size = jpegSize(bytes);
  } else {
    return { ok: false, message: "The logo must be a PNG or JPEG image; its content is neither, whatever its name or declared type." };
  }
  const kind = content_type === "image/png" ? "PNG" : "JPEG";
  if (!size) return { ok: false, message: `The logo starts like a ${kind} but its header cannot be read; save it again and resend.` };
  const { width, height } = size;
  if (width < 1 || height < 1 || width > MAX_LOGO_SIDE || height > MAX_LOGO_SIDE)
    return { ok: false, message: `The logo is ${width}×${height} pixels; each side must be 1 to ${MAX_LOGO_SIDE} pixels.` };
  return { ok: true, image: { content_type, width, height } };
}

export const LOGO_PATH_PREFIX = "/checkout/logos/";
const EXTENSION: Record<LogoType, string> = { "image/png": "png", "image/jpeg": "jpg" };

/** Where our origin serves a logo: its random id and extension, and nothing about its merchant. */
export function logoPath(logo_id: string, content_type: LogoType): string {
  return `${LOGO_PATH_PREFIX}${logo_id}.${EXTENSION[content_type]}`;
}

/** The id and type a logo path names, or null (a wrong extension for the id is checked by the caller). */
export function parseLogoFile(file: string): { logo_id: string; extension: "png" | "jpg" } | null {
  const match = /^(logo_[A-Za-z0-9]{24})\.(png|jpg)$/.exec(file);
  return match ? { logo_id: match[1]!, extension: match[2] as "png" | "jpg" } : null;
}

export function extensionOf(content_type: LogoType): string {
  return EXTENSION[content_type];
}
