// The ttycall wire protocol, version 5 (docs/PROTOCOL.md), for the browser: the 16-byte
// header, CRC32C, and the encoders and decoders of the messages a participant sends and
// receives. Decoders return null for a malformed payload (the caller closes the call);
// like src/net/protocol.cpp they check sizes exactly and reject trailing bytes.

export const VERSION = 5;
export const HEADER = 16;
export const SEAL_OVERHEAD = 16;
export const FLAG_SEALED = 1;
const MAGIC = 0x43595454;

export const T = {
  Hello: 0x01, Welcome: 0x02, Participants: 0x03, Joined: 0x04, Left: 0x05, Resize: 0x06,
  Ping: 0x07, Pong: 0x08, Bye: 0x09, VideoRequest: 0x0a, VideoUp: 0x0b, VideoDown: 0x0c,
  AudioUp: 0x0d, AudioDown: 0x0e, KeyHello: 0x10, KeyWelcome: 0x11, Auth: 0x12,
  MediaState: 0x20, ListRooms: 0x21, RoomList: 0x22, ChatSend: 0x30, ChatMessage: 0x31,
  ChatRefused: 0x32,
};

export const BYE = {
  0: 'the call ended', 1: 'the server is full', 2: 'protocol error', 3: 'protocol version mismatch',
  4: 'timed out', 5: 'the server is stopping', 6: 'this server encrypts', 7: 'this server does not encrypt',
  8: 'wrong or missing server password', 9: 'your key is not allowed on this server',
  10: 'no such room', 11: 'the room is full', 12: 'wrong or missing room password',
  13: 'rooms are not listed', 20: 'that name is not allowed', 30: 'too many connections, try later',
  31: 'slow down, try later',
};

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

export function crc32c(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// A packet in the clear: header (with the CRC) + payload.
export function packet(type, payload) {
  const out = new Uint8Array(HEADER + payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, MAGIC, true);
  out[4] = VERSION;
  out[5] = type;
  v.setUint16(6, 0, true);
  v.setUint32(8, payload.length, true);
  v.setUint32(12, crc32c(payload), true);
  out.set(payload, HEADER);
  return out;
}

// The header of a received packet, or null (the checks of parse_header that matter here:
// the server already keeps to the limits, and the AEAD covers the rest).
export function parseHeader(bytes) {
  if (bytes.length < HEADER) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, HEADER);
  if (v.getUint32(0, true) !== MAGIC || bytes[4] !== VERSION) return null;
  const flags = v.getUint16(6, true);
  if (flags & ~FLAG_SEALED) return null;
  return { type: bytes[5], flags, length: v.getUint32(8, true), crc: v.getUint32(12, true) };
}

// ---- writing ----

class Writer {
  constructor(size) { this.bytes = new Uint8Array(size); this.view = new DataView(this.bytes.buffer); this.at = 0; }
  u8(x) { this.bytes[this.at++] = x; return this; }
  u16(x) { this.view.setUint16(this.at, x, true); this.at += 2; return this; }
  u32(x) { this.view.setUint32(this.at, x >>> 0, true); this.at += 4; return this; }
  u64(x) { this.u32(x % 0x100000000); this.u32(Math.floor(x / 0x100000000)); return this; }
  raw(b) { this.bytes.set(b, this.at); this.at += b.length; return this; }
  text(b) { return this.u8(b.length).raw(b); }
  done() { return this.bytes.subarray(0, this.at); }
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

// A name cut to 32 bytes on a character boundary (as Name::from).
export function nameBytes(text, max = 32) {
  let bytes = utf8.encode(text);
  let cut = Math.min(bytes.length, max);
  while (cut > 0 && cut < bytes.length && (bytes[cut] & 0xc0) === 0x80) cut--;
  return bytes.subarray(0, cut);
}

export const enc = {
  keyHello: (key) => new Writer(35).u16(VERSION).u8(1).raw(key).done(),
  auth: (identity, signature, proof) =>
    new Writer(129).raw(identity).raw(signature).u8(proof ? 1 : 0).raw(proof || new Uint8Array(32)).done(),
  hello: (cols, rows, name, room, roomProof) =>
    new Writer(41 + name.length + room.length).u16(VERSION).u16(cols).u16(rows).text(name).text(room)
      .u8(roomProof ? 1 : 0).raw(roomProof || new Uint8Array(32)).done(),
  resize: (cols, rows, layout, pinned, gallery) =>
    new Writer(10).u16(cols).u16(rows).u8(layout).u32(pinned).u8(gallery).done(),
  ping: (us) => new Writer(8).u64(us).done(),
  pong: (raw) => raw.slice(),
  bye: (reason, text) => { const t = nameBytes(text, 120); return new Writer(2 + t.length).u8(reason).text(t).done(); },
  mediaState: (flags) => new Writer(1).u8(flags).done(),
  videoUp: (seq, captureUs, w, h, jpeg) =>
    new Writer(16 + jpeg.length).u32(seq).u64(captureUs).u16(w).u16(h).raw(jpeg).done(),
  audioUp: (seq, captureUs, flags, opus) =>
    new Writer(13 + opus.length).u32(seq).u64(captureUs).u8(flags).raw(opus).done(),
};

// ---- reading ----

class Reader {
  constructor(bytes) { this.b = bytes; this.v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length); this.at = 0; }
  need(n) { if (this.at + n > this.b.length) throw new RangeError('short'); }
  u8() { this.need(1); return this.b[this.at++]; }
  u16() { this.need(2); const x = this.v.getUint16(this.at, true); this.at += 2; return x; }
  u32() { this.need(4); const x = this.v.getUint32(this.at, true); this.at += 4; return x; }
  u64() { const lo = this.u32(); return lo + this.u32() * 0x100000000; }
  raw(n) { this.need(n); const x = this.b.subarray(this.at, this.at + n); this.at += n; return x; }
  rest() { return this.raw(this.b.length - this.at); }
  end() { if (this.at !== this.b.length) throw new RangeError('trailing bytes'); }
  // Text under the protocol's rules: well-formed UTF-8 without C0, DEL or C1 controls.
  text(min, max) {
    const n = this.u8();
    if (n < min || n > max) throw new RangeError('text length');
    const s = fromUtf8.decode(this.raw(n));
    for (const ch of s) {
      const c = ch.codePointAt(0);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) throw new RangeError('control character');
    }
    return s;
  }
}

function decoding(fn) {
  return (bytes) => { try { return fn(new Reader(bytes)); } catch { return null; } };
}

export const dec = {
  keyWelcome: decoding((r) => {
    const w = { exchangeKey: r.raw(32), identity: r.raw(32), signature: r.raw(64), requirements: r.u8(), salt: r.raw(16) };
    r.end();
    return w;
  }),
  welcome: decoding((r) => { const w = { id: r.u32(), fps: r.u16() }; r.end(); return w; }),
  participants: decoding((r) => {
    const total = r.u16(), count = r.u16();
    if (count > 64 || total < count) throw new RangeError('count');
    const list = [];
    for (let i = 0; i < count; i++) list.push({ id: r.u32(), flags: r.u8(), name: r.text(1, 32) });
    r.end();
    return { total, list };
  }),
  joined: decoding((r) => { const j = { id: r.u32(), name: r.text(1, 32) }; r.end(); return j; }),
  left: decoding((r) => { const l = { id: r.u32() }; r.end(); return l; }),
  bye: decoding((r) => { const b = { reason: r.u8(), text: r.text(0, 120) }; r.end(); return b; }),
  ping: decoding((r) => { const p = { us: r.u64() }; r.end(); return p; }),
  videoRequest: decoding((r) => {
    const q = { width: r.u16(), height: r.u16(), fps: r.u16() };
    r.end();
    if ((q.width === 0) !== (q.height === 0) || q.width > 1920 || q.height > 1080 || q.fps > 120) throw new RangeError('size');
    return q;
  }),
  videoDown: decoding((r) => {
    const f = { frame: r.u32(), cols: r.u16(), rows: r.u16(), format: r.u8(), quality: r.u8(), tablesHash: r.u32() };
    const sourceCount = r.u8(), labelCount = r.u8(), tileCount = r.u8();
    if (f.format !== 1 || f.quality < 1 || f.quality > 100 || f.cols < 1 || f.cols > 1000 ||
        f.rows < 1 || f.rows > 500 || sourceCount > 64 || labelCount > 64 || tileCount > 64) {
      throw new RangeError('fixed part');
    }
    f.sources = [];
    for (let i = 0; i < sourceCount; i++) f.sources.push({ id: r.u32(), captureUs: r.u64() });
    f.labels = [];
    for (let i = 0; i < labelCount; i++) {
      const l = { col: r.u16(), row: r.u16(), width: r.u16(), style: r.u8(), name: r.text(1, 32) };
      if (l.width < 1 || l.col + l.width > f.cols || l.row >= f.rows || l.style > 1) throw new RangeError('label');
      f.labels.push(l);
    }
    // The picture holds only these tiles: everything outside them is drawn black.
    f.tiles = [];
    for (let i = 0; i < tileCount; i++) {
      const t = { col: r.u16(), row: r.u16(), cols: r.u16(), rows: r.u16() };
      if (t.cols < 1 || t.rows < 1 || t.col + t.cols > f.cols || t.row + t.rows > f.rows) throw new RangeError('tile');
      f.tiles.push(t);
    }
    f.picture = r.rest();
    if (f.picture.length < 1) throw new RangeError('no picture');
    return f;
  }),
  audioDown: decoding((r) => {
    const a = { seq: r.u32(), captureUs: r.u64() };
    const n = r.u8();
    if (n > 16) throw new RangeError('speakers');
    a.speakers = [];
    for (let i = 0; i < n; i++) a.speakers.push(r.u32());
    a.opus = r.rest();
    if (a.opus.length < 1 || a.opus.length > 1275) throw new RangeError('opus');
    return a;
  }),
};
