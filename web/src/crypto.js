// The key exchange, the sealing and the password proofs of src/net/key_exchange.* and
// src/net/secure_channel.*, byte for byte, with libsodium (libsodium-wrappers-sumo: the
// sumo build has Argon2id, which the password proofs need).
import sodium from 'libsodium-wrappers-sumo';
import { HEADER, SEAL_OVERHEAD, FLAG_SEALED, VERSION, crc32c } from './protocol.js';

export const ready = sodium.ready;
export const NEEDS_PASSWORD = 1;
export const NEEDS_ALLOWED_KEY = 2;

const utf8 = new TextEncoder();

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

// label padded with zeros to 32 bytes, then the transcript: what each side signs (and the
// message of the password proofs).
function signedMessage(label, transcript) {
  const m = new Uint8Array(64);
  m.set(utf8.encode(label));
  m.set(transcript, 32);
  return m;
}

export function keyFromText(text) {
  return sodium.from_base64(text, sodium.base64_variants.ORIGINAL_NO_PADDING);
}

// Argon2id with libsodium's interactive limits (slow on purpose: once per join).
export function passwordKey(password, salt) {
  return sodium.crypto_pwhash(32, utf8.encode(password), salt, sodium.crypto_pwhash_OPSLIMIT_INTERACTIVE,
    sodium.crypto_pwhash_MEMLIMIT_INTERACTIVE, sodium.crypto_pwhash_ALG_ARGON2ID13);
}

export class ClientKeyExchange {
  constructor() {
    const kx = sodium.crypto_kx_keypair();
    this.publicKey = kx.publicKey;
    this.secretKey = kx.privateKey;
    this.transcript = null;
  }

  // Checks the server's signature (and that it is `expectedIdentity`, the key of the server
  // that served this page) and derives the session keys; null if anything does not hold.
  accept(welcome, expectedIdentity) {
    if (expectedIdentity && !sodium.memcmp(welcome.identity, expectedIdentity)) return null;
    const version = new Uint8Array([VERSION & 0xff, VERSION >> 8]);
    const transcript = sodium.crypto_generichash(32, concat(utf8.encode('ttycall key exchange v1'), version,
      this.publicKey, welcome.exchangeKey, welcome.identity, new Uint8Array([welcome.requirements]), welcome.salt));
    if (!sodium.crypto_sign_verify_detached(welcome.signature, signedMessage('ttycall server signs', transcript),
      welcome.identity)) return null;
    let keys;
    try {
      keys = sodium.crypto_kx_client_session_keys(this.publicKey, this.secretKey, welcome.exchangeKey);
    } catch {
      return null;  // a low-order key
    }
    sodium.memzero(this.secretKey);
    this.transcript = transcript;
    return { receive: keys.sharedRx, transmit: keys.sharedTx };
  }

  // The Auth's identity, signature and password proof (`passwordKey` or null).
  auth(identity, passwordKey) {
    return {
      identity: identity.publicKey,
      signature: sodium.crypto_sign_detached(signedMessage('ttycall client signs', this.transcript), identity.privateKey),
      proof: passwordKey ? sodium.crypto_generichash(32, signedMessage('ttycall password proof', this.transcript), passwordKey) : null,
    };
  }

  // BLAKE2b-256(key = K_room, label || T || room_len || room)
  roomProof(roomKey, roomBytes) {
    return sodium.crypto_generichash(32, concat(signedMessage('ttycall room password proof', this.transcript),
      new Uint8Array([roomBytes.length]), roomBytes), roomKey);
  }
}

// A fresh Ed25519 identity for this page (a web participant has no key file).
export function newIdentity() {
  return sodium.crypto_sign_keypair();
}

function nonce(counter) {
  const n = new Uint8Array(24);
  new DataView(n.buffer).setUint32(0, counter % 0x100000000, true);
  new DataView(n.buffer).setUint32(4, Math.floor(counter / 0x100000000), true);
  return n;
}

export class SecureChannel {
  constructor() { this.keys = null; this.tx = 0; this.rx = 0; }
  enable(keys) { this.keys = keys; this.tx = 0; this.rx = 0; }
  get enabled() { return this.keys !== null; }

  // A clear packet (header + payload) sealed: flags get the sealed bit, length grows by the
  // tag, the first 12 header bytes are the associated data, the CRC covers the wire bytes.
  seal(plain) {
    const size = plain.length - HEADER;
    const out = new Uint8Array(plain.length + SEAL_OVERHEAD);
    out.set(plain.subarray(0, HEADER));
    const v = new DataView(out.buffer);
    v.setUint16(6, v.getUint16(6, true) | FLAG_SEALED, true);
    v.setUint32(8, size + SEAL_OVERHEAD, true);
    const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(plain.subarray(HEADER), out.subarray(0, 12),
      null, nonce(this.tx++), this.keys.transmit);
    out.set(sealed, HEADER);
    v.setUint32(12, crc32c(sealed), true);
    return out;
  }

  // The plaintext payload of a sealed packet whose CRC matched, or null if it does not open.
  open(packet) {
    try {
      const plain = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, packet.subarray(HEADER),
        packet.subarray(0, 12), nonce(this.rx), this.keys.receive);
      this.rx++;
      return plain;
    } catch {
      return null;
    }
  }
}
