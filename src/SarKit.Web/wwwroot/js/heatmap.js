// Canvas heat maps of SAR slices with a shared colour scale, a colour bar and a hot-spot marker.
const STOPS = [ // perceptually ordered dark → bright (inferno-like), [t, r, g, b]
  [0.0, 0, 0, 4], [0.15, 40, 11, 84], [0.3, 101, 21, 110], [0.45, 159, 42, 99],
  [0.6, 212, 72, 66], [0.75, 245, 125, 21], [0.9, 250, 193, 39], [1.0, 252, 255, 164]];

export function colour(t) {
  t = Math.min(1, Math.max(0, t));
  for (let n = 1; n < STOPS.length; n++) {
    if (t <= STOPS[n][0]) {
      const [t0, r0, g0, b0] = STOPS[n - 1], [t1, r1, g1, b1] = STOPS[n];
      const f = (t - t0) / (t1 - t0);
      return [r0 + f * (r1 - r0), g0 + f * (g1 - g0), b0 + f * (b1 - b0)];
    }
  }
  return STOPS[STOPS.length - 1].slice(1);
}

// slice: {width, height, values (row-major, first axis fastest)}; rows are drawn bottom-up (second axis points up).
// scale: pixels per voxel along (first, second) axis; marker: {u, v} voxel to mark, or null.
export function drawSlice(canvas, slice, max, scale, marker) {
  const { width: w, height: h, values } = slice;
  const [sx, sy] = scale;
  canvas.width = Math.max(1, Math.round(w * sx));
  canvas.height = Math.max(1, Math.round(h * sy));
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(w, h);
  const inv = max > 0 ? 1 / max : 0;
  for (let v = 0; v < h; v++) {
    for (let u = 0; u < w; u++) {
      const val = values[v * w + u];
      const o = 4 * ((h - 1 - v) * w + u);
      if (val <= 0) { img.data[o] = 0; img.data[o + 1] = 0; img.data[o + 2] = 0; img.data[o + 3] = 255; continue; }
      const [r, g, b] = colour(val * inv);
      img.data[o] = r; img.data[o + 1] = g; img.data[o + 2] = b; img.data[o + 3] = 255;
    }
  }
  const off = new OffscreenCanvas(w, h);
  off.getContext('2d').putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
  if (marker) {
    const cx = (marker.u + 0.5) * sx, cy = (h - 1 - marker.v + 0.5) * sy;
    const r = Math.max(6, 1.6 * Math.max(sx, sy));
    ctx.strokeStyle = '#00e5ff'; ctx.lineWidth = 2;
    ctx.beginPath(); ctx.arc(cx, cy, r, 0, 2 * Math.PI); ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(cx - 2 * r, cy); ctx.lineTo(cx - r, cy); ctx.moveTo(cx + r, cy); ctx.lineTo(cx + 2 * r, cy);
    ctx.moveTo(cx, cy - 2 * r); ctx.lineTo(cx, cy - r); ctx.moveTo(cx, cy + r); ctx.lineTo(cx, cy + 2 * r);
    ctx.stroke();
  }
}

export function drawColourBar(canvas, height) {
  canvas.width = 16; canvas.height = height;
  const ctx = canvas.getContext('2d');
  for (let y = 0; y < height; y++) {
    const [r, g, b] = colour(1 - y / (height - 1));
    ctx.fillStyle = `rgb(${r | 0},${g | 0},${b | 0})`;
    ctx.fillRect(0, y, 16, 1);
  }
}
