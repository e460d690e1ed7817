// The call's grid drawn the way the terminal client draws it (src/media/picture_cells.cpp):
// each cell of the picture's cols x rows*2 pixels is an upper half block (foreground = top
// pixel, background = bottom pixel) or, in ASCII mode, one character of the luminance ramp
// in the cell's colour; colours in 24 bits, the xterm 256-colour palette or none. Labels
// are drawn over it, centred in their cells, the speaking one highlighted; the status line
// is the last row.

const RAMP = ' .:-=+*#%@';
export const RENDER_MODES = ['half', 'ascii'];
export const COLOR_MODES = ['true', '256', 'none'];

const CUBE = [0, 95, 135, 175, 215, 255];
function cubeIndex(v) {
  let best = 0;
  for (let i = 1; i < 6; i++) if (Math.abs(CUBE[i] - v) < Math.abs(CUBE[best] - v)) best = i;
  return best;
}
// The nearest xterm-256 colour: the 6x6x6 cube or the grey ramp (232 + k shows 8 + 10k).
function to256(r, g, b) {
  const cr = CUBE[cubeIndex(r)], cg = CUBE[cubeIndex(g)], cb = CUBE[cubeIndex(b)];
  const mean = (r + g + b) / 3;
  const k = Math.max(0, Math.min(23, Math.round((mean - 8) / 10)));
  const grey = 8 + 10 * k;
  const dc = (cr - r) ** 2 + (cg - g) ** 2 + (cb - b) ** 2;
  const dg = (grey - r) ** 2 + (grey - g) ** 2 + (grey - b) ** 2;
  return dg < dc ? [grey, grey, grey] : [cr, cg, cb];
}
const luma = (r, g, b) => (77 * r + 150 * g + 29 * b) >> 8;

// The picture holds only its tiles (docs/PROTOCOL.md, VideoDown): paints every pixel
// outside them black, as the server's canvas is. No tiles: the whole picture is shown.
function clearOutsideTiles(px, width, height, tiles) {
  if (!tiles || tiles.length === 0) return;
  const inside = new Uint8Array(width * height);
  for (const t of tiles) {
    for (let y = t.row * 2; y < Math.min((t.row + t.rows) * 2, height); y++) {
      inside.fill(1, y * width + t.col, y * width + Math.min(t.col + t.cols, width));
    }
  }
  for (let i = 0; i < inside.length; i++) {
    if (!inside[i]) px[4 * i] = px[4 * i + 1] = px[4 * i + 2] = 0;
  }
}

export class GridCanvas {
  constructor(canvas, cellWidth = 8, cellHeight = 16) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d', { willReadFrequently: true });
    this.cw = cellWidth;
    this.ch = cellHeight;
    this.scratch = new OffscreenCanvas(1, 1);
    this.sctx = this.scratch.getContext('2d', { willReadFrequently: true });
  }

  // How many cells fit in `width` x `height` CSS pixels, the status line kept free.
  static fit(width, height, cw = 8, ch = 16) {
    return { cols: Math.max(20, Math.min(400, Math.floor(width / cw))),
      rows: Math.max(6, Math.min(200, Math.floor(height / ch) - 1)) };
  }

  resize(cols, rows) {
    if (this.canvas.width !== cols * this.cw || this.canvas.height !== (rows + 1) * this.ch) {
      this.canvas.width = cols * this.cw;
      this.canvas.height = (rows + 1) * this.ch;
    }
  }

  // `bitmap` is the decoded picture (cols x rows*2); `frame` its VideoDown.
  draw(bitmap, frame, renderMode, colorMode) {
    const { cols, rows } = frame;
    this.resize(Math.max(cols, this.canvas.width / this.cw), rows);
    if (this.scratch.width !== cols || this.scratch.height !== rows * 2) {
      this.scratch.width = cols;
      this.scratch.height = rows * 2;
    }
    this.sctx.drawImage(bitmap, 0, 0);
    const img = this.sctx.getImageData(0, 0, cols, rows * 2);
    const px = img.data;
    clearOutsideTiles(px, cols, rows * 2, frame.tiles);
    const ctx = this.ctx;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, this.canvas.width, rows * this.ch);
    if (renderMode === 'half') {
      for (let i = 0; i < px.length; i += 4) {
        let r = px[i], g = px[i + 1], b = px[i + 2];
        if (colorMode === '256') [r, g, b] = to256(r, g, b);
        else if (colorMode === 'none') r = g = b = luma(r, g, b) >= 128 ? 255 : 0;
        px[i] = r; px[i + 1] = g; px[i + 2] = b; px[i + 3] = 255;
      }
      this.sctx.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(this.scratch, 0, 0, cols, rows * 2, 0, 0, cols * this.cw, rows * this.ch);
    } else {
      ctx.font = `${this.ch - 2}px monospace`;
      ctx.textBaseline = 'top';
      for (let y = 0; y < rows; y++) {
        for (let x = 0; x < cols; x++) {
          const a = (2 * y * cols + x) * 4, c = ((2 * y + 1) * cols + x) * 4;
          let r = (px[a] + px[c]) >> 1, g = (px[a + 1] + px[c + 1]) >> 1, b = (px[a + 2] + px[c + 2]) >> 1;
          const glyph = RAMP[(luma(r, g, b) * RAMP.length) >> 8];
          if (glyph === ' ') continue;
          if (colorMode === '256') [r, g, b] = to256(r, g, b);
          else if (colorMode === 'none') r = g = b = 230;
          ctx.fillStyle = `rgb(${r},${g},${b})`;
          ctx.fillText(glyph, x * this.cw, y * this.ch + 1);
        }
      }
    }
    for (const label of frame.labels) this.drawLabel(label);
  }

  drawLabel({ col, row, width, style, name }) {
    const ctx = this.ctx;
    ctx.font = `bold ${this.ch - 3}px monospace`;
    ctx.textBaseline = 'top';
    // Measured in cells as the terminal would (one per character here; wide ones two).
    let cells = 0;
    for (const ch of name) cells += /\p{Extended_Pictographic}|[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
    const shown = cells > width ? [...name].slice(0, width).join('') : name;
    const start = col + Math.max(0, Math.floor((width - Math.min(cells, width)) / 2));
    const speaking = style === 1;
    ctx.fillStyle = speaking ? '#ffd700' : 'rgba(0,0,0,0.65)';
    ctx.fillRect(col * this.cw, row * this.ch, width * this.cw, this.ch);
    ctx.fillStyle = speaking ? '#000' : '#fff';
    ctx.save();
    ctx.beginPath();
    ctx.rect(col * this.cw, row * this.ch, width * this.cw, this.ch);
    ctx.clip();
    ctx.fillText(shown, start * this.cw, row * this.ch + 2);
    ctx.restore();
  }

  status(text, rows) {
    const ctx = this.ctx;
    const y = rows * this.ch;
    ctx.fillStyle = '#202020';
    ctx.fillRect(0, y, this.canvas.width, this.ch);
    ctx.fillStyle = '#e0e0e0';
    ctx.font = `${this.ch - 3}px monospace`;
    ctx.textBaseline = 'top';
    ctx.fillText(text, 4, y + 2);
  }
}
