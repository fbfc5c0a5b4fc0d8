import { crc32, deflateSync } from "node:zlib";

/**
 * A real PNG for the branded checkout's screenshots: a rounded dark badge with two gold bars, 96×32,
 * encoded by hand (zlib for IDAT, crc32 for each chunk) so the test needs no image library.
 */
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

export function logoPng(width = 96, height = 32): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 4);
    for (let x = 0; x < width; x++) {
      const corner = Math.min(x, width - 1 - x) < 4 && Math.min(y, height - 1 - y) < 4;
      const bar = y > 8 && y < height - 8 && ((x > 12 && x < 40) || (x > 52 && x < 84)) && (y < 14 || y > height - 14 || x % 8 < 4);
      const [r, g, b] = bar ? [0xf2, 0xb7, 0x05] : [0x1b, 0x2a, 0x4a];
      row.set([r, g, b, corner ? 0 : 255], 1 + x * 4);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
