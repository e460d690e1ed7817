// One web participant's connection: the WebSocket (one binary message = one ttycall
// packet), the key exchange and the sealing, then the call's packets both ways. Mirrors the
// terminal client's order (src/client/client.cpp): KeyHello, KeyWelcome checked against the
// server key the page was served with, Auth and Hello sealed, then Welcome and the streams.
import { T, HEADER, BYE, FLAG_SEALED, packet, parseHeader, crc32c, enc, dec, nameBytes } from './protocol.js';
import { ClientKeyExchange, SecureChannel, keyFromText, passwordKey, newIdentity, NEEDS_PASSWORD, NEEDS_ALLOWED_KEY } from './crypto.js';

export class Call {
  // options: { url, serverKey, name, room, roomPassword, serverPassword, cols, rows }
  // events: { onWelcome, onVideoDown, onAudioDown, onVideoRequest, onParticipants, onEnd(text) }
  constructor(options, events) {
    this.o = options;
    this.ev = events;
    this.channel = new SecureChannel();
    this.kx = new ClientKeyExchange();
    this.identity = newIdentity();
    this.state = 'key';  // key -> welcome -> call -> ended
    this.stats = { bytesUp: 0, bytesDown: 0, packetsUp: 0, packetsDown: 0, since: performance.now() };
    this.endText = null;
    this.ws = new WebSocket(options.url);
    this.ws.binaryType = 'arraybuffer';
    this.ws.onopen = () => this.sendClear(T.KeyHello, enc.keyHello(this.kx.publicKey));
    this.ws.onmessage = (e) => this.receive(new Uint8Array(e.data));
    this.ws.onclose = (e) => this.end(this.endText || (e.code === 1006 ? 'the connection was refused or lost'
      : `the connection closed (${e.code}${e.reason ? ': ' + e.reason : ''})`));
    this.ws.onerror = () => {};
  }

  sendClear(type, payload) { this.transmit(packet(type, payload)); }
  send(type, payload) {
    if (this.state === 'ended') return;
    this.transmit(this.channel.seal(packet(type, payload)));
  }
  transmit(bytes) {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(bytes);
    this.stats.bytesUp += bytes.length;
    this.stats.packetsUp++;
  }
  // Bytes the socket has not sent yet (the uplink skips camera frames while it is busy).
  get backlog() { return this.ws.bufferedAmount; }

  leave() {
    if (this.state === 'call') this.send(T.Bye, enc.bye(0, 'bye'));
    this.end('you left the call');
    this.ws.close(1000);
  }

  end(text) {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.ev.onEnd(text);
  }

  fail(text) {
    this.endText = text;
    this.end(text);
    this.ws.close(1000);
  }

  receive(bytes) {
    this.stats.bytesDown += bytes.length;
    this.stats.packetsDown++;
    const h = parseHeader(bytes);
    if (!h || h.length !== bytes.length - HEADER) return this.fail('the server sent a malformed packet');
    const payload = bytes.subarray(HEADER);
    if (crc32c(payload) !== h.crc) return this.fail('the server sent a packet with a bad CRC');
    const sealed = (h.flags & FLAG_SEALED) !== 0;
    let plain = payload;
    if (this.channel.enabled) {
      if (!sealed) return this.fail('the server sent a packet in the clear after the key exchange');
      plain = this.channel.open(bytes);
      if (!plain) return this.fail('a packet from the server did not authenticate');
    } else if (sealed) {
      return this.fail('the server sent a sealed packet before the key exchange');
    }
    if (h.type === T.Bye) return this.bye(plain);
    if (this.state === 'key') return this.keyWelcome(h.type, plain);
    if (this.state === 'welcome') {
      if (h.type !== T.Welcome) return;  // nothing but a Bye or the Welcome comes first
      const w = dec.welcome(plain);
      if (!w) return this.fail('malformed Welcome');
      this.state = 'call';
      this.id = w.id;
      this.fps = w.fps;
      return this.ev.onWelcome(w);
    }
    this.dispatch(h.type, plain);
  }

  keyWelcome(type, plain) {
    const w = type === T.KeyWelcome ? dec.keyWelcome(plain) : null;
    if (!w) return this.fail('the server did not answer the key exchange');
    const keys = this.kx.accept(w, keyFromText(this.o.serverKey));
    if (!keys) return this.fail('the server did not prove it holds the key this page was served with');
    if ((w.requirements & NEEDS_PASSWORD) && !this.o.serverPassword) {
      return this.fail('this server needs a password: give it under "server password"');
    }
    if (w.requirements & NEEDS_ALLOWED_KEY) {
      return this.fail('this server admits only allowed keys, and a browser has none');
    }
    this.channel.enable(keys);
    const pk = (w.requirements & NEEDS_PASSWORD) ? passwordKey(this.o.serverPassword, w.salt) : null;
    const auth = this.kx.auth(this.identity, pk);
    this.send(T.Auth, enc.auth(auth.identity, auth.signature, auth.proof));
    const room = nameBytes(this.o.room);
    const proof = this.o.roomPassword ? this.kx.roomProof(passwordKey(this.o.roomPassword, w.salt), room) : null;
    this.send(T.Hello, enc.hello(this.o.cols, this.o.rows, nameBytes(this.o.name), room, proof));
    this.state = 'welcome';
  }

  bye(plain) {
    const b = dec.bye(plain);
    const words = b ? (BYE[b.reason] || `closed (reason ${b.reason})`) : 'the server closed the call';
    // Only an authenticated Bye's text is the server's (before it, anyone could write it).
    const text = b && b.text && this.channel.enabled ? `${words}: ${b.text}` : words;
    this.fail(text);
  }

  dispatch(type, plain) {
    switch (type) {
      case T.VideoDown: { const f = dec.videoDown(plain); if (!f) return this.fail('malformed VideoDown'); return this.ev.onVideoDown(f); }
      case T.AudioDown: { const a = dec.audioDown(plain); if (!a) return this.fail('malformed AudioDown'); return this.ev.onAudioDown(a); }
      case T.VideoRequest: { const q = dec.videoRequest(plain); if (!q) return this.fail('malformed VideoRequest'); return this.ev.onVideoRequest(q); }
      case T.Participants: { const p = dec.participants(plain); if (!p) return this.fail('malformed Participants'); return this.ev.onParticipants(p); }
      case T.Ping: { if (!dec.ping(plain)) return this.fail('malformed Ping'); return this.send(T.Pong, enc.pong(plain)); }
      case T.Pong: { const p = dec.ping(plain); if (p) this.rttMs = (performance.now() * 1000 - p.us) / 1000; return; }
      default: return;  // Joined, Left, chat: the participant list says what the page shows
    }
  }
}
