// Audio worklets: the microphone tap (20 ms frames of mono 48 kHz to the main thread) and
// the player (a small jitter buffer the decoder fills; it starts after 60 ms are queued,
// drops what is beyond 200 ms, and plays silence when it runs dry).
const FRAME = 960;

class MicTap extends AudioWorkletProcessor {
  constructor() { super(); this.buf = new Float32Array(FRAME); this.n = 0; }
  process(inputs) {
    const input = inputs[0];
    if (input && input.length) {
      const ch = input[0];
      for (let i = 0; i < ch.length; i++) {
        let s = ch[i];
        if (input.length > 1) s = (s + input[1][i]) / 2;
        this.buf[this.n++] = s;
        if (this.n === FRAME) { this.port.postMessage(this.buf.slice()); this.n = 0; }
      }
    }
    return true;
  }
}

class Player extends AudioWorkletProcessor {
  constructor() {
    super();
    this.ring = new Float32Array(48000);
    this.read = 0; this.write = 0; this.started = false; this.underruns = 0;
    this.port.onmessage = (e) => this.push(e.data);
  }
  queued() { return (this.write - this.read + this.ring.length) % this.ring.length; }
  push(samples) {
    if (this.queued() + samples.length > 9600) {  // more than 200 ms: drop the oldest
      this.read = (this.write - 2880 + this.ring.length) % this.ring.length;
    }
    for (let i = 0; i < samples.length; i++) { this.ring[this.write] = samples[i]; this.write = (this.write + 1) % this.ring.length; }
    if (!this.started && this.queued() >= 2880) this.started = true;
  }
  process(_, outputs) {
    const out = outputs[0][0];
    if (!this.started) { out.fill(0); return true; }
    for (let i = 0; i < out.length; i++) {
      if (this.read === this.write) { out.fill(0, i); this.started = false; this.underruns++; break; }
      out[i] = this.ring[this.read];
      this.read = (this.read + 1) % this.ring.length;
    }
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    return true;
  }
}

registerProcessor('ttycall-mic', MicTap);
registerProcessor('ttycall-player', Player);
