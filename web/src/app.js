// The web participant's page: the join form, then the call drawn as text art, with the
// terminal client's keys (m mute, v camera, r render mode, c colours, f focus, s stats,
// q leave). http://HOST:PORT/ROOM fills the room; ?name=NAME&join=1 joins at once.
import { ready } from './crypto.js';
import { Call } from './call.js';
import { T, enc } from './protocol.js';
import { GridCanvas, RENDER_MODES, COLOR_MODES } from './render.js';
import { Camera, Audio } from './media.js';

const $ = (id) => document.getElementById(id);
const serverKey = document.querySelector('meta[name="ttycall-server-key"]').content;
const params = new URLSearchParams(location.search);
$('server-key').textContent = serverKey;
$('room').value = decodeURIComponent(location.pathname.slice(1));
$('name').value = params.get('name') || '';

const state = {
  call: null, grid: new GridCanvas($('grid')), camera: null, audio: null, stream: null,
  render: 'half', color: 'true', layout: 0, muted: false, cameraOff: false,
  request: { width: 0, height: 0, fps: 0 }, videoSeq: 0, audioSeq: 0,
  tables: new Map(), decoding: false, pendingFrame: null, framesDrawn: 0, participants: [],
  speakers: [], size: GridCanvas.fit(innerWidth, innerHeight - 40), timers: [], drawnAt: [],
};

function showMessage(text) {
  $('message').textContent = text;
  $('message').hidden = false;
}

// FNV-1a (32 bit), as the server hashes the tables it leaves out.
function fnv1a(bytes) {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

// SOI and the DQT/DHT segments for `quality`, from the server's own libjpeg, checked
// against the hash each picture carries.
async function tablesFor(quality, hash) {
  let t = state.tables.get(quality);
  if (!t) {
    const reply = await fetch(`/jpeg-tables/${quality}`);
    if (!reply.ok) throw new Error('the server gave no JPEG tables');
    t = new Uint8Array(await reply.arrayBuffer());
    state.tables.set(quality, t);
  }
  if (fnv1a(t.subarray(2)) !== hash) throw new Error('the JPEG tables do not match the picture');
  return t;
}

async function drawFrame(f) {
  if (state.decoding) { state.pendingFrame = f; return; }  // the newest waits, older are skipped
  state.decoding = true;
  try {
    const tables = await tablesFor(f.quality, f.tablesHash);
    const jpeg = new Uint8Array(tables.length + f.picture.length - 2);
    jpeg.set(tables);
    jpeg.set(f.picture.subarray(2), tables.length);
    const bitmap = await createImageBitmap(new Blob([jpeg], { type: 'image/jpeg' }));
    if (bitmap.width === f.cols && bitmap.height === f.rows * 2) {
      state.grid.draw(bitmap, f, state.render, state.color);
      state.lastFrame = f;
      state.framesDrawn++;
      state.drawnAt.push(performance.now());
      drawStatus();
    }
    bitmap.close();
  } catch (e) {
    if (String(e).includes('tables')) { state.call.fail(String(e.message)); }
  } finally {
    state.decoding = false;
    if (state.pendingFrame) { const next = state.pendingFrame; state.pendingFrame = null; drawFrame(next); }
  }
}

function fps() {
  const now = performance.now();
  while (state.drawnAt.length && state.drawnAt[0] < now - 2000) state.drawnAt.shift();
  return state.drawnAt.length / 2;
}

function drawStatus() {
  if (!state.lastFrame) return;
  const me = state.call;
  const speaking = state.participants.filter((p) => state.speakers.includes(p.id)).map((p) => p.name);
  const text = `${$('room').value || 'lobby'} · ${state.participants.length} in call · ` +
    `${state.muted ? 'muted' : 'mic on'} · ${state.cameraOff ? 'camera off' : 'camera on'} · ` +
    `${state.render}/${state.color} · ${state.layout ? 'focus' : 'grid'}` +
    (speaking.length ? ` · speaking: ${speaking.join(', ')}` : '') + ` · ${fps().toFixed(0)} fps` +
    (me && me.rttMs ? ` · ${me.rttMs.toFixed(0)} ms` : '');
  state.grid.status(text, state.lastFrame.rows);
}

function stats() {
  const c = state.call;
  if (!c) return null;
  const seconds = (performance.now() - c.stats.since) / 1000;
  return { ...c.stats, seconds, upBytesPerSecond: c.stats.bytesUp / seconds, downBytesPerSecond: c.stats.bytesDown / seconds,
    fps: fps(), framesDrawn: state.framesDrawn, videoSent: state.videoSeq, audioSent: state.audioSeq,
    request: state.request, rttMs: c.rttMs || 0, state: c.state };
}

function sendResize() {
  if (state.call && state.call.state === 'call') {
    state.call.send(T.Resize, enc.resize(state.size.cols, state.size.rows, state.layout, 0, 0));
  }
}

async function sendCameraFrame() {
  const { width, height } = state.request;
  const call = state.call;
  if (!call || call.state !== 'call' || state.cameraOff || !state.camera || width === 0) return;
  if (call.backlog > 256 * 1024) return;  // the link is busy: skip this frame
  const jpeg = await state.camera.grab(width, height);
  if (!jpeg || call.state !== 'call') return;
  call.send(T.VideoUp, enc.videoUp(state.videoSeq++, Date.now() * 1000, width, height, jpeg));
}

function restartCameraTimer() {
  clearInterval(state.cameraTimer);
  const fps = Math.max(1, Math.min(state.request.fps || state.call.fps || 30, 30));
  state.cameraTimer = setInterval(sendCameraFrame, 1000 / fps);
}

const keys = {
  m() { state.muted = !state.muted; },
  v() {
    state.cameraOff = !state.cameraOff;
    state.call.send(T.MediaState, enc.mediaState(state.cameraOff ? 1 : 0));
  },
  r() { state.render = RENDER_MODES[(RENDER_MODES.indexOf(state.render) + 1) % RENDER_MODES.length]; },
  c() { state.color = COLOR_MODES[(COLOR_MODES.indexOf(state.color) + 1) % COLOR_MODES.length]; },
  f() { state.layout = state.layout ? 0 : 1; sendResize(); },
  s() { $('stats').hidden = !$('stats').hidden; },
  q() { state.call.leave(); },
};

function press(key) {
  if (!state.call || state.call.state !== 'call' || !keys[key]) return;
  if (state.audio && state.audio.ctx.state === 'suspended') state.audio.ctx.resume();
  keys[key]();
  drawStatus();
}

async function join(event) {
  if (event) event.preventDefault();
  $('message').hidden = true;
  $('join-button').disabled = true;
  await ready;
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({
      video: { width: 640, height: 480 },
      audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
    });
  } catch (e) {
    state.stream = null;
    state.cameraOff = true;
    showMessage(`no camera or microphone (${e.name}): joining without them`);
  }
  if (state.stream && state.stream.getVideoTracks().length) state.camera = new Camera(state.stream);
  else state.cameraOff = true;
  state.audio = await Audio.open(state.stream, (opus, silent) => {
    const c = state.call;
    if (c && c.state === 'call') c.send(T.AudioUp, enc.audioUp(state.audioSeq++, Date.now() * 1000, silent ? 1 : 0, opus));
  });
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  state.call = new Call({
    url, serverKey, name: $('name').value.trim(), room: $('room').value.trim(),
    roomPassword: $('room-password').value, serverPassword: $('server-password').value,
    cols: state.size.cols, rows: state.size.rows,
  }, {
    onWelcome() {
      $('join').hidden = true;
      $('call').hidden = false;
      state.grid.resize(state.size.cols, state.size.rows);
      if (state.cameraOff) state.call.send(T.MediaState, enc.mediaState(1));
      state.timers.push(setInterval(() => state.call.send(T.Ping, enc.ping(Math.round(performance.now() * 1000))), 1000));
      state.timers.push(setInterval(() => { $('stats').textContent = JSON.stringify(stats(), null, 1); drawStatus(); }, 1000));
      restartCameraTimer();
    },
    onVideoRequest(q) { state.request = q; restartCameraTimer(); },
    onVideoDown: drawFrame,
    onAudioDown(a) { state.speakers = a.speakers; state.audio.play(a.opus, a.seq); },
    onParticipants(p) { state.participants = p.list; },
    onEnd(text) {
      for (const t of state.timers) clearInterval(t);
      clearInterval(state.cameraTimer);
      if (state.stream) for (const t of state.stream.getTracks()) t.stop();
      if (state.audio) state.audio.close();
      $('join').hidden = false;
      $('call').hidden = true;
      $('join-button').disabled = false;
      showMessage(text);
    },
  });
}

let resizeTimer = null;
addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => { state.size = GridCanvas.fit(innerWidth, innerHeight - 40); sendResize(); }, 150);
});
addEventListener('keydown', (e) => { if (!e.ctrlKey && !e.metaKey && !e.altKey) press(e.key.toLowerCase()); });
for (const b of document.querySelectorAll('#controls button')) b.addEventListener('click', () => press(b.dataset.key));
$('join').addEventListener('submit', join);

// For tests and the curious: what the page measures.
window.ttycall = {
  stats,
  levelAt: (hz) => (state.audio ? state.audio.levelAt(hz) : -Infinity),
  // The colour of the picture's pixel drawn at cell (col, row) (top half).
  pixel(col, row) {
    const d = state.grid.ctx.getImageData(col * state.grid.cw + 1, row * state.grid.ch + 1, 1, 1).data;
    return [d[0], d[1], d[2]];
  },
  frame: () => state.lastFrame && { cols: state.lastFrame.cols, rows: state.lastFrame.rows, labels: state.lastFrame.labels },
  message: () => ($('message').hidden ? '' : $('message').textContent),
  press,
};

if (params.get('join') === '1' && $('name').value) join();
