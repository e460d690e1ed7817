// The web participant in a real browser (issue 17): Debian's headless Chromium, driven by
// puppeteer-core, with its fake camera (a moving picture) and a fake microphone playing a
// 1000 Hz tone; two headless terminal clients (solid red with a 440 Hz tone, solid blue with
// 660 Hz) in the same room. Checks what each side sees and hears, then the room password
// (right and wrong), a tampered WebSocket frame, and a WebSocket from another origin.
// Prints the web participant's bytes per second up and down and its frame rate.
//
// Usage: node web_call_test.mjs TTYCALL_BINARY WEB_DIR ARTIFACT_DIR
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import os from 'node:os';

const [binary, webDir, artifacts] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(webDir), 'package.json'));
const puppeteer = require('puppeteer-core');
const WebSocket = require('ws');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ttycall-web-'));
fs.mkdirSync(artifacts, { recursive: true });
const children = [];
let failures = 0, passes = 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const deadline = setTimeout(() => { console.error('FAIL: the test took over 150 s'); cleanup(1); }, 150000);

function check(ok, what) {
  if (ok) { passes++; console.log(`ok: ${what}`); } else { failures++; console.log(`FAIL: ${what}`); }
}
function cleanup(code) {
  for (const c of children) { try { c.kill('SIGTERM'); } catch {} }
  process.exit(code);
}

function start(args, logName) {
  const log = fs.openSync(path.join(tmp, logName), 'w');
  const child = spawn(binary, args, { stdio: ['ignore', log, log], env: { ...process.env, XDG_CONFIG_HOME: path.join(tmp, 'config') } });
  children.push(child);
  child.exited = new Promise((r) => child.on('exit', (code) => r(code)));
  return child;
}

async function waitFor(what, fn, ms = 30000) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// A mono 16-bit WAV of a sine (Chromium's fake microphone plays it in a loop).
function writeTone(file, hz, seconds) {
  const rate = 48000, n = rate * seconds;
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0); b.writeUInt32LE(36 + n * 2, 4); b.write('WAVEfmt ', 8); b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22); b.writeUInt32LE(rate, 24); b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34); b.write('data', 36); b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(12000 * Math.sin(2 * Math.PI * hz * i / rate)), 44 + 2 * i);
  fs.writeFileSync(file, b);
}

// Power of `hz` relative to the signal's power (Goertzel) over a 16-bit WAV's samples.
function toneShare(file, hz) {
  const b = fs.readFileSync(file);
  let at = 12, dataAt = -1, size = 0, rate = 48000, channels = 1;
  while (at + 8 <= b.length) {
    const id = b.toString('ascii', at, at + 4), len = b.readUInt32LE(at + 4);
    if (id === 'fmt ') { channels = b.readUInt16LE(at + 10); rate = b.readUInt32LE(at + 12); }
    if (id === 'data') { dataAt = at + 8; size = Math.min(len, b.length - dataAt); break; }
    at += 8 + len;
  }
  if (dataAt < 0) return 0;
  const n = Math.floor(size / 2 / channels);
  const k = 2 * Math.cos(2 * Math.PI * hz / rate);
  let s1 = 0, s2 = 0, energy = 0;
  for (let i = 0; i < n; i++) {
    const x = b.readInt16LE(dataAt + 2 * i * channels) / 32768;
    energy += x * x;
    const s = x + k * s1 - s2; s2 = s1; s1 = s;
  }
  const power = s1 * s1 + s2 * s2 - k * s1 * s2;
  return energy > 0 ? (2 * power / n) / energy : 0;
}

// The cells of a saved terminal frame (--save-last-frame: half blocks, 24-bit SGR) as
// [top rgb, bottom rgb] per cell, row by row.
function parseFrame(file) {
  const text = fs.readFileSync(file, 'utf8');
  const cells = [];
  let fg = [0, 0, 0], bg = [0, 0, 0], row = 0, col = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\x1b' && text[i + 1] === '[') {
      let j = i + 2;
      while (j < text.length && !/[A-Za-z]/.test(text[j])) j++;
      const params = text.slice(i + 2, j).split(';').map(Number), cmd = text[j];
      if (cmd === 'H') { row = (params[0] || 1) - 1; col = (params[1] || 1) - 1; }
      if (cmd === 'm') {
        for (let p = 0; p < params.length; p++) {
          if (params[p] === 38 && params[p + 1] === 2) { fg = params.slice(p + 2, p + 5); p += 4; }
          else if (params[p] === 48 && params[p + 1] === 2) { bg = params.slice(p + 2, p + 5); p += 4; }
          else if (params[p] === 0) { fg = [0, 0, 0]; bg = [0, 0, 0]; }
        }
      }
      i = j;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\n') { row++; col = 0; }
    } else {
      (cells[row] ||= [])[col++] = ch === '▀' ? [fg, bg] : [[0, 0, 0], [0, 0, 0]];
    }
  }
  return cells;
}
const isRed = ([r, g, b]) => r > 180 && g < 80 && b < 80;
const isBlue = ([r, g, b]) => b > 180 && r < 80 && g < 80;
const isDark = ([r, g, b]) => r + g + b < 60;
// The picture cells that are neither red, blue nor black: the web participant's tile.
function webCells(cells) {
  const out = new Map();
  cells.forEach((row, y) => (row || []).forEach((cell, x) => {
    if (!cell) return;
    const [top] = cell;
    if (!isRed(top) && !isBlue(top) && !isDark(top)) out.set(`${x},${y}`, top.join(','));
  }));
  return out;
}

async function main() {
  writeTone(path.join(tmp, 'tone.wav'), 1000, 10);
  fs.writeFileSync(path.join(tmp, 'rooms.txt'), 'call\nsecret password=hunter2\n');
  const server = start(['server', '--port', '0', '--web', '127.0.0.1:0', '--rooms', path.join(tmp, 'rooms.txt'),
    '--default-room', 'call', '--stats-json', path.join(tmp, 'stats.json'), '--warmup', '4',
    '--identity', path.join(tmp, 'server_key'), '--memory-report-interval', '2',
    '--memory-report', path.join(tmp, 'memory.txt')], 'server.log');
  const log = () => fs.readFileSync(path.join(tmp, 'server.log'), 'utf8');
  const ports = await waitFor('the server to listen', () => {
    const t = log();
    const web = t.match(/web participants: (http:\/\/127\.0\.0\.1:\d+)\//), tcp = t.match(/listening on 127\.0\.0\.1:(\d+)/);
    const key = t.match(/server key (\S+)/);
    return web && tcp && key && { web: web[1], tcp: tcp[1], key: key[1] };
  }, 20000);
  console.log(`server on ${ports.tcp}, web on ${ports.web}`);
  const client = (name, colour, hz, seconds) => start(['client', '--host', '127.0.0.1', '--port', ports.tcp, '--headless',
    '--name', name, '--video', `test:solid:${colour}`, '--audio', `sine:${hz}`, '--audio-out', `file:${path.join(tmp, name + '.wav')}`,
    '--room', 'call', '--server-key', ports.key, '--size', '80x24', '--render', 'half', '--color', 'true',
    '--duration', String(seconds), '--save-last-frame', path.join(tmp, name + '.txt')], name + '.log');

  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-audio-capture=${path.join(tmp, 'tone.wav')}`, '--autoplay-policy=no-user-gesture-required',
      '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 800, height: 600 });
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') console.log(`page console: ${m.text()}`); });
    page.on('response', (r) => { if (r.status() >= 400) console.log(`page got ${r.status()} for ${r.url()}`); });
    await page.goto(`${ports.web}/call?name=web&join=1`);
    await waitFor('the page to join', () => page.evaluate(() => window.ttycall && window.ttycall.stats()?.state === 'call'), 30000);
    console.log('web participant joined');
    const red = client('red', 'ff0000', 440, 22), blue = client('blue', '0000ff', 660, 24);

    // What the page draws: both solid colours.
    const colours = await waitFor('red and blue on the page', async () => {
      const c = await page.evaluate(() => {
        const f = window.ttycall.frame();
        if (!f) return null;
        let red = 0, blue = 0;
        for (let y = 0; y < f.rows; y++) for (let x = 0; x < f.cols; x++) {
          const [r, g, b] = window.ttycall.pixel(x, y);
          if (r > 180 && g < 80 && b < 80) red++;
          if (b > 180 && r < 80 && g < 80) blue++;
        }
        return { red, blue, cells: f.cols * f.rows };
      });
      return c && c.red > 50 && c.blue > 50 && c;
    }, 30000).catch(() => null);
    check(colours, `the page shows both solid colours (${JSON.stringify(colours)})`);

    // What the page hears: both tones, through its own audio graph.
    let best = { 440: -Infinity, 660: -Infinity, 1500: -Infinity };
    const heard = await waitFor('both tones on the page', async () => {
      const l = await page.evaluate(() => ({ 440: window.ttycall.levelAt(440), 660: window.ttycall.levelAt(660), 1500: window.ttycall.levelAt(1500) }));
      for (const k of Object.keys(best)) best[k] = Math.max(best[k], l[k]);
      return best[440] > best[1500] + 20 && best[660] > best[1500] + 20;
    }, 20000).catch(() => false);
    check(heard, `the page plays both tones (dB at 440: ${best[440].toFixed(1)}, 660: ${best[660].toFixed(1)}, 1500: ${best[1500].toFixed(1)})`);

    // The web participant's traffic and frame rate over a few seconds of the call.
    const s0 = await page.evaluate(() => window.ttycall.stats());
    await sleep(6000);
    const s1 = await page.evaluate(() => window.ttycall.stats());
    const dt = s1.seconds - s0.seconds;
    const up = (s1.bytesUp - s0.bytesUp) / dt, down = (s1.bytesDown - s0.bytesDown) / dt;
    const fps = (s1.framesDrawn - s0.framesDrawn) / dt;
    console.log(`web participant: up ${(up / 1000).toFixed(1)} kB/s, down ${(down / 1000).toFixed(1)} kB/s, ` +
      `${fps.toFixed(1)} frames drawn/s, camera ${s1.request.width}x${s1.request.height}, ` +
      `${(s1.videoSent - s0.videoSent) / dt | 0} camera frames/s sent, rtt ${s1.rttMs.toFixed(1)} ms`);
    check(fps > 5 && up > 1000 && down > 1000, 'the web participant streams both ways');
    await page.screenshot({ path: path.join(artifacts, 'web_call.png') });

    // What the terminal clients saw and heard of the web participant.
    // The server's heap in steady state with a browser in the call: its Memory Reports (one
    // every 2 s) must come to "no heap allocation in the last N s" once the joins are over.
    const readVerdicts = () => fs.readFileSync(path.join(tmp, 'memory.txt'), 'utf8').split('=== End of Memory Report ===')
      .map((r) => (r.match(/Verdict: .*/) || [''])[0]).filter(Boolean);
    // Three reports after the warm-up (6 s of the call), while everyone is still in it.
    await waitFor('three Memory Reports after the warm-up', () =>
      readVerdicts().filter((v) => v.startsWith('Verdict: stable')).length >= 3 || null, 12000).catch(() => null);
    const verdicts = readVerdicts();
    // Allocations since the warm-up ended, as each verdict counts them (joins are one-off).
    const since = verdicts.filter((v) => v.startsWith('Verdict: stable')).map((v) =>
      (/no heap allocation/.test(v) ? 0 : +(v.match(/(\d+) one-off/) || [0, NaN])[1]));
    console.log(`server Memory Report verdicts during the call:\n  ${verdicts.join('\n  ')}`);
    const last = verdicts[verdicts.length - 1] || '';
    check(last.startsWith('Verdict: stable') && since.length >= 3 && since[since.length - 1] === since[since.length - 2] &&
      since[since.length - 2] === since[since.length - 3],
      `the server's heap is stable with the web participant in the call: no allocation in its last 4 s (${since.join(', ')} since warm-up)`);
    await red.exited;
    await blue.exited;
    const redCells = webCells(parseFrame(path.join(tmp, 'red.txt')));
    const blueCells = webCells(parseFrame(path.join(tmp, 'blue.txt')));
    let changed = 0;
    for (const [k, v] of redCells) if (blueCells.get(k) !== v) changed++;
    check(redCells.size > 50 && blueCells.size > 50, `the terminal clients see the web tile (${redCells.size} and ${blueCells.size} cells neither red, blue nor black)`);
    check(changed > 10, `the web tile changes over time (${changed} cells differ between red's and blue's last frames, 2 s apart)`);
    // The web tone against a frequency nobody sends: the browser's noise suppression may
    // soften a steady tone, but it stays far above the floor.
    const ratio = (who) => toneShare(path.join(tmp, who + '.wav'), 1000) / Math.max(1e-12, toneShare(path.join(tmp, who + '.wav'), 1300));
    const heardWeb = { red: ratio('red'), blue: ratio('blue') };
    check(heardWeb.red > 100 && heardWeb.blue > 100, `the terminal clients hear the web microphone (1000 Hz over 1300 Hz: red ${heardWeb.red.toFixed(0)}x, blue ${heardWeb.blue.toFixed(0)}x)`);
    await page.evaluate(() => window.ttycall.press('q'));

    // The room's password, right then wrong.
    const join = async (p, room, password) => {
      await p.goto(`${ports.web}/${room}?name=pw`);
      await p.type('#room-password', password);
      await p.click('#join-button');
    };
    const pw = await browser.newPage();
    await join(pw, 'secret', 'hunter2');
    const right = await waitFor('the right password to join', () => pw.evaluate(() => window.ttycall.stats()?.state === 'call'), 20000).catch(() => false);
    check(right, 'the right room password joins');
    await pw.evaluate(() => window.ttycall.press('q'));
    await join(pw, 'secret', 'wrong');
    const wrong = await waitFor('the wrong password refused', () => pw.evaluate(() => window.ttycall.message()), 20000).catch(() => '');
    check(/room password/.test(wrong), `a wrong room password shows a clear message ("${wrong}")`);
    await pw.close();

    // A tampered frame: one byte of a sealed packet flipped, then the CRC made right again,
    // so only the AEAD catches it (and, without the CRC fixed, the CRC check).
    for (const fixCrc of [false, true]) {
      const t = await browser.newPage();
      await t.evaluateOnNewDocument((fix) => {
        const table = new Uint32Array(256).map((_, i) => { let c = i; for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1; return c >>> 0; });
        const crc = (b) => { let c = 0xffffffff; for (const x of b) c = table[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
        const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (data) {
          if (window.tamper && data.length > 40 && (data[6] & 1)) {
            window.tamper = false;
            data = new Uint8Array(data);
            data[20] ^= 0x01;
            if (fix) new DataView(data.buffer).setUint32(12, crc(data.subarray(16)), true);
          }
          return send.call(this, data);
        };
      }, fixCrc);
      await t.goto(`${ports.web}/call?name=tamper&join=1`);
      await waitFor('the tamper page to join', () => t.evaluate(() => window.ttycall.stats()?.state === 'call'), 20000);
      await t.evaluate(() => { window.tamper = true; });
      const msg = await waitFor('the tampered frame refused', () => t.evaluate(() => window.ttycall.message()), 15000).catch(() => '');
      const expected = fixCrc ? /protocol error: decryption failed/i : /protocol error: payload CRC mismatch/i;
      check(expected.test(msg), `a tampered WebSocket frame (${fixCrc ? 'CRC fixed' : 'bad CRC'}) closes the call like a tampered TCP packet ("${msg}")`);
      await t.close();
    }

    // Another origin: a page served by another server (here on another port of this
    // machine) cannot open the endpoint from the browser.
    const elsewhere = http.createServer((_, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<p>elsewhere</p>'); });
    await new Promise((r) => elsewhere.listen(0, '127.0.0.1', r));
    const other = await browser.newPage();
    await other.goto(`http://127.0.0.1:${elsewhere.address().port}/`);
    const fromOther = await other.evaluate((url) => new Promise((resolve) => {
      const ws = new WebSocket(url);
      ws.onopen = () => resolve('open');
      ws.onclose = () => resolve('closed');
    }), ports.web.replace('http', 'ws') + '/ws');
    check(fromOther === 'closed', `a page of another origin cannot open the WebSocket from the browser (${fromOther})`);
    await other.close();
    elsewhere.close();
    const tryOrigin = (origin) => new Promise((resolve) => {
      const ws = new WebSocket(ports.web.replace('http', 'ws') + '/ws', { origin });
      ws.on('open', () => { ws.close(); resolve('open'); });
      ws.on('unexpected-response', (_, res) => resolve(`refused ${res.statusCode}`));
      ws.on('error', () => resolve('error'));
    });
    const evil = await tryOrigin('http://evil.example');
    const own = await tryOrigin(ports.web);
    check(evil === 'refused 403' && own === 'open', `Origin http://evil.example is refused (${evil}); the server's own origin opens (${own})`);

    // Per-address limits hold before the upgrade too: of idle connections from one address
    // (--max-connections-per-ip, 8 by default) the ninth is closed at once, the first eight
    // only at the handshake deadline.
    const closed = [];
    const sockets = [];
    await browser.close();
    for (let i = 0; i < 9; i++) {
      const s = net.connect(Number(ports.web.split(':')[2]), '127.0.0.1');
      s.on('error', () => {});
      s.on('close', () => closed.push(i));
      sockets.push(s);
      await new Promise((r) => s.once('connect', r));
    }
    await waitFor('the idle connections to close', () => closed.length === 9 || null, 20000).catch(() => null);
    check(closed[0] === 8, `a ninth connection from one address is refused before the upgrade (closed in the order ${closed.join(',')})`);
  } finally {
    if (browser.connected) await browser.close();
  }
  server.kill('SIGTERM');
  const code = await server.exited;
  check(code === 0, `the server stops cleanly, every allocation freed (exit ${code})`);
  const stats = JSON.parse(fs.readFileSync(path.join(tmp, 'stats.json'), 'utf8'));
  console.log(`server heap (steady state with the web participant in the call): ${JSON.stringify(stats.heap)}`);
  for (const f of ['server.log', 'red.log', 'blue.log', 'red.txt', 'blue.txt']) {
    try { fs.copyFileSync(path.join(tmp, f), path.join(artifacts, f)); } catch {}
  }
}

main().then(() => {
  clearTimeout(deadline);
  console.log(`${passes} passed, ${failures} failed`);
  cleanup(failures ? 1 : 0);
}, (e) => {
  console.log(`FAIL: ${e.message}`);
  try { console.log(fs.readFileSync(path.join(tmp, 'server.log'), 'utf8').slice(-3000)); } catch {}
  cleanup(1);
});
