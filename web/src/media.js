// Camera, microphone and speaker for the web participant: camera frames scaled to the size
// the server asks for and encoded as JPEG by the browser's canvas; the microphone as 20 ms
// Opus packets through WebCodecs (AudioEncoder); the call's sound decoded by AudioDecoder
// and played through a jitter buffer (worklets.js) and an AnalyserNode (the tests read it).
export const SAMPLE_RATE = 48000;
export const FRAME_SAMPLES = 960;  // 20 ms

export class Camera {
  constructor(stream) {
    this.video = document.createElement('video');
    this.video.muted = true;
    this.video.playsInline = true;
    this.video.srcObject = stream;
    this.video.play().catch(() => {});
    this.canvas = new OffscreenCanvas(1, 1);
    this.ctx = this.canvas.getContext('2d');
    this.busy = false;
  }
  // One JPEG of width x height, or null when the camera has no frame yet or one is in work.
  async grab(width, height) {
    if (this.busy || this.video.readyState < 2) return null;
    this.busy = true;
    try {
      if (this.canvas.width !== width || this.canvas.height !== height) {
        this.canvas.width = width;
        this.canvas.height = height;
      }
      this.ctx.drawImage(this.video, 0, 0, width, height);
      const blob = await this.canvas.convertToBlob({ type: 'image/jpeg', quality: 0.75 });
      return new Uint8Array(await blob.arrayBuffer());
    } finally {
      this.busy = false;
    }
  }
}

export class Audio {
  // `onPacket(opusBytes, silent)` gets each 20 ms packet of the microphone.
  static async open(stream, onPacket) {
    const a = new Audio();
    a.ctx = new AudioContext({ sampleRate: SAMPLE_RATE, latencyHint: 'interactive' });
    await a.ctx.audioWorklet.addModule('/static/src/worklets.js');
    a.player = new AudioWorkletNode(a.ctx, 'ttycall-player', { outputChannelCount: [1] });
    a.analyser = a.ctx.createAnalyser();
    a.analyser.fftSize = 8192;
    a.analyser.smoothingTimeConstant = 0.5;
    a.player.connect(a.analyser);
    a.analyser.connect(a.ctx.destination);
    a.decoder = new AudioDecoder({
      output: (data) => {
        const pcm = new Float32Array(data.numberOfFrames);
        data.copyTo(pcm, { planeIndex: 0, format: 'f32-planar' });
        data.close();
        a.player.port.postMessage(pcm, [pcm.buffer]);
      },
      error: () => {},
    });
    a.decoder.configure({ codec: 'opus', sampleRate: SAMPLE_RATE, numberOfChannels: 1 });
    a.muted = false;
    if (stream && stream.getAudioTracks().length) {
      a.encoder = new AudioEncoder({
        output: (chunk) => {
          const bytes = new Uint8Array(chunk.byteLength);
          chunk.copyTo(bytes);
          onPacket(bytes, a.muted);
        },
        error: () => {},
      });
      a.encoder.configure({ codec: 'opus', sampleRate: SAMPLE_RATE, numberOfChannels: 1, bitrate: 32000,
        opus: { frameDuration: 20000, complexity: 5, useinbandfec: true } });
      const source = a.ctx.createMediaStreamSource(stream);
      a.tap = new AudioWorkletNode(a.ctx, 'ttycall-mic');
      let timestamp = 0;
      a.tap.port.onmessage = (e) => {
        const samples = a.muted ? new Float32Array(FRAME_SAMPLES) : e.data;
        const data = new AudioData({ format: 'f32-planar', sampleRate: SAMPLE_RATE, numberOfFrames: FRAME_SAMPLES,
          numberOfChannels: 1, timestamp, data: samples });
        timestamp += 20000;
        if (a.encoder.state === 'configured') a.encoder.encode(data);
        data.close();
      };
      source.connect(a.tap);
      // The tap must be pulled to run; through a silent gain it reaches no speaker.
      const sink = a.ctx.createGain();
      sink.gain.value = 0;
      a.tap.connect(sink).connect(a.ctx.destination);
    }
    return a;
  }

  play(opus, seq) {
    if (this.decoder.state !== 'configured') return;
    this.decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: seq * 20000, data: opus }));
  }

  // The level (dB) of the call's sound at `hz`, from the analyser (for the stats and tests).
  levelAt(hz) {
    const bins = new Float32Array(this.analyser.frequencyBinCount);
    this.analyser.getFloatFrequencyData(bins);
    const i = Math.round(hz / (this.ctx.sampleRate / this.analyser.fftSize));
    return Math.max(bins[i - 1], bins[i], bins[i + 1]);
  }

  close() {
    try { this.encoder && this.encoder.close(); } catch {}
    try { this.decoder.close(); } catch {}
    this.ctx.close();
  }
}
