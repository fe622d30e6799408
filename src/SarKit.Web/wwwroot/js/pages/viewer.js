// SAR viewer: three orthogonal slices of point SAR and mass-averaged SAR (IEC/IEEE 62704-1) for a drive edited per
// channel (amplitude, phase); every edit is sent to POST /api/sar/slices (averaging cubes cached on the server) and drawn.
// Answers are snake_case (the shared result types of the CLI and the web API).
import { getJson, postJson, el, errorBox, fmt } from '../api.js';
import { drawSlice, drawColourBar } from '../heatmap.js';

const CANVAS_PX = 250; // size of the largest extent on screen

function cpDrive(n) { return { amplitude: Array(n).fill(1), phaseDeg: Array.from({ length: n }, (_, c) => wrap(-360 * c / n)) }; }
function wrap(p) { p = ((p + 180) % 360 + 360) % 360 - 180; return Math.round(p * 1000) / 1000; }
const mm = m => fmt(m * 1e3, 4);
// one axis of a grid result: outer edges (m) and voxel count
const axisOf = (grid, a) => ({ minM: grid.extent_m[a][0], maxM: grid.extent_m[a][1], count: grid['n' + a] });

function sliceLabel(grid, s) {
  const axis = axisOf(grid, s.normal);
  const w = (axis.maxM - axis.minM) / axis.count;
  return `${s.normal} = ${mm(axis.minM + (s.index + 0.5) * w)} mm (${s.normal === 'x' ? 'i' : s.normal === 'y' ? 'j' : 'k'} = ${s.index}) · ${s.axes[0]}→, ${s.axes[1]}↑`;
}

function mapRow(title, id, map, grid, unit) {
  const row = el('div', { class: 'card', id });
  const ext = ['x', 'y', 'z'].map(a => axisOf(grid, a).maxM - axisOf(grid, a).minM);
  const ppm = CANVAS_PX / Math.max(...ext);
  const width = a => { const x = axisOf(grid, a); return (x.maxM - x.minM) / x.count * ppm; };
  const p = map.peak_voxel;
  const slices = el('div', { class: 'slices' });
  for (const s of map.slices) {
    const canvas = el('canvas', { 'data-normal': s.normal });
    const through = (s.normal === 'x' && s.index === p.i) || (s.normal === 'y' && s.index === p.j) || (s.normal === 'z' && s.index === p.k);
    const marker = !through ? null : s.normal === 'x' ? { u: p.j, v: p.k } : s.normal === 'y' ? { u: p.i, v: p.k } : { u: p.i, v: p.j };
    drawSlice(canvas, s, map.peak_w_per_kg, [width(s.axes[0]), width(s.axes[1])], marker);
    slices.append(el('div', { class: 'slice' }, canvas, el('span', { class: 'label' }, sliceLabel(grid, s))));
  }
  const bar = el('canvas');
  drawColourBar(bar, 160);
  slices.append(el('div', { class: 'colourbar' }, el('span', {}, `${fmt(map.peak_w_per_kg, 4)}`), bar, el('span', {}, '0'), el('span', { class: 'muted' }, unit)));
  row.append(el('h2', {}, title, el('span', { class: 'muted' },
    ` · peak ${fmt(map.peak_w_per_kg, 4)} W/kg at (${mm(map.peak_location_m.x)}, ${mm(map.peak_location_m.y)}, ${mm(map.peak_location_m.z)}) mm, voxel (${p.i}, ${p.j}, ${p.k}); ◯ = hot spot`)), slices);
  return row;
}

export default {
  id: 'viewer',
  title: 'SAR viewer',
  async render(root, params, { go }) {
    root.append(el('h1', {}, 'SAR viewer'));
    const list = await getJson('/api/datasets');
    const readable = list.datasets.filter(d => !d.error);
    if (!readable.length) { root.append(el('p', {}, 'No readable dataset files in the data folder (see the Datasets page).')); return; }
    const path = params.get('path') || readable[0].path;
    const info = await getJson(`/api/datasets/info?path=${encodeURIComponent(path)}`);
    const n = info.channels;
    const drive = cpDrive(n);
    let massG = params.has('mass') ? Number(params.get('mass')) : 10;
    let at = null; // null: slices through each map's peak
    let closed = false;

    const pick = el('select', { id: 'viewer-dataset' }, list.datasets.map(d => el('option', { value: d.path }, d.path)));
    pick.value = path;
    pick.addEventListener('change', () => go('viewer', { path: pick.value }));
    const mass = el('select', { id: 'viewer-mass' }, [[10, '10 g'], [1, '1 g'], [0, 'point SAR only']].map(([v, t]) => el('option', { value: v }, t)));
    mass.value = String(massG);
    mass.addEventListener('change', () => { massG = Number(mass.value); update(); });

    // drive editor
    const inputs = [];
    const tbody = el('tbody');
    for (let c = 0; c < n; c++) {
      const amp = el('input', { type: 'number', id: `amp-${c}`, min: 0, step: 0.05, value: drive.amplitude[c] });
      const ampRange = el('input', { type: 'range', id: `amp-range-${c}`, min: 0, max: 2, step: 0.01, value: drive.amplitude[c] });
      const ph = el('input', { type: 'number', id: `phase-${c}`, min: -180, max: 180, step: 1, value: drive.phaseDeg[c] });
      const phRange = el('input', { type: 'range', id: `phase-range-${c}`, min: -180, max: 180, step: 1, value: drive.phaseDeg[c] });
      const setAmp = v => { if (Number.isFinite(v) && v >= 0) { drive.amplitude[c] = v; amp.value = v; ampRange.value = Math.min(2, v); update(); } };
      const setPh = v => { if (Number.isFinite(v)) { v = wrap(v); drive.phaseDeg[c] = v; ph.value = v; phRange.value = v; update(); } };
      amp.addEventListener('input', () => setAmp(Number(amp.value)));
      ampRange.addEventListener('input', () => setAmp(Number(ampRange.value)));
      ph.addEventListener('input', () => setPh(Number(ph.value)));
      phRange.addEventListener('input', () => setPh(Number(phRange.value)));
      inputs.push({ amp, ampRange, ph, phRange });
      tbody.append(el('tr', {}, el('td', {}, info.channel_names[c] || `ch${c}`), el('td', {}, amp, ampRange), el('td', {}, ph, phRange)));
    }
    function setDrive(d) {
      d.amplitude.forEach((v, c) => { drive.amplitude[c] = v; inputs[c].amp.value = v; inputs[c].ampRange.value = Math.min(2, v); });
      d.phaseDeg.forEach((v, c) => { drive.phaseDeg[c] = v; inputs[c].ph.value = v; inputs[c].phRange.value = v; });
      update();
    }
    const presets = el('p', {},
      el('button', { class: 'secondary', id: 'preset-cp', onclick: () => setDrive(cpDrive(n)) }, 'CP'), ' ',
      el('button', { class: 'secondary', id: 'preset-zero-phase', onclick: () => setDrive({ amplitude: drive.amplitude.slice(), phaseDeg: Array(n).fill(0) }) }, 'all phases 0°'), ' ',
      el('button', { class: 'secondary', id: 'preset-ch0', onclick: () => setDrive({ amplitude: Array.from({ length: n }, (_, c) => c === 0 ? 1 : 0), phaseDeg: Array(n).fill(0) }) }, 'channel 1 only'));
    const editor = el('div', { class: 'card' }, el('h2', {}, `Drive (${info.drive_unit} peak, phase in degrees)`), presets,
      el('table', { class: 'drive' }, el('thead', {}, el('tr', {}, el('th', {}, 'channel'), el('th', {}, `amplitude / ${info.drive_unit}`), el('th', {}, 'phase / °'))), tbody));

    // slice position
    const follow = el('input', { type: 'checkbox', id: 'follow-peak', checked: true });
    const idx = ['i', 'j', 'k'].map((a, n2) => el('input', { type: 'number', id: `slice-${a}`, min: 0, max: [info.grid.nx, info.grid.ny, info.grid.nz][n2] - 1, step: 1, value: 0, disabled: true }));
    const setAt = () => {
      idx.forEach(x => { x.disabled = follow.checked; });
      at = follow.checked ? null : { i: Number(idx[0].value), j: Number(idx[1].value), k: Number(idx[2].value) };
      update();
    };
    follow.addEventListener('change', setAt);
    idx.forEach(x => x.addEventListener('input', setAt));

    const stats = el('div', { class: 'card', id: 'viewer-stats' }, el('p', { class: 'muted' }, 'Computing (the first request of a dataset precomputes its Q-matrices)…'));
    const status = el('span', { id: 'viewer-status', 'data-state': 'busy', 'data-updates': '0' }, '');
    const maps = el('div', { id: 'viewer-maps' });
    root.append(el('div', { class: 'card' }, 'Dataset ', pick, ' · averaging ', mass, ' · ',
      el('label', {}, follow, ' slices through each peak'), ' or voxel i j k ', idx, ' ', status));
    root.append(el('div', { class: 'row' }, editor, stats), maps);

    // request loop: one request in flight; edits made meanwhile are sent when it returns
    let inFlight = false, pending = false, updates = 0;
    async function update() {
      if (inFlight) { pending = true; return; }
      inFlight = true; pending = false;
      status.dataset.state = 'busy'; status.textContent = 'updating…';
      const t0 = performance.now();
      try {
        const body = { path, drive: { amplitude: drive.amplitude.slice(), phaseDeg: drive.phaseDeg.slice() }, massG, at };
        const r = await postJson('/api/sar/slices', body);
        if (closed) return;
        show(r, performance.now() - t0);
        updates++;
      } catch (e) {
        if (!closed) { stats.replaceChildren(errorBox(e)); maps.replaceChildren(); }
      } finally {
        inFlight = false;
        if (!closed) {
          if (pending) update();
          else { status.dataset.state = 'ready'; status.dataset.updates = String(updates); status.textContent = ''; }
        }
      }
    }

    function show(r, roundTripMs) {
      const loc = m => `(${mm(m.peak_location_m.x)}, ${mm(m.peak_location_m.y)}, ${mm(m.peak_location_m.z)}) mm`;
      const massText = r.mass_kg ? `${fmt(r.mass_kg * 1e3, 3)} g` : '';
      stats.replaceChildren(
        el('div', { class: 'row' },
          el('div', { class: 'stat' }, el('div', { class: 'label' }, 'Peak point SAR'),
            el('div', { class: 'big', id: 'peak-point' }, fmt(r.point.peak_w_per_kg, 4)), el('div', { class: 'muted' }, `W/kg at ${loc(r.point)}`)),
          r.averaged ? el('div', { class: 'stat' }, el('div', { class: 'label' }, `psSAR ${massText} (IEC/IEEE 62704-1)`),
            el('div', { class: 'big', id: 'peak-avg' }, fmt(r.averaged.peak_w_per_kg, 4)), el('div', { class: 'muted' }, `W/kg at ${loc(r.averaged)}`)) : null),
        el('dl', { class: 'kv' },
          el('dt', {}, 'Tissue-average SAR'), el('dd', { id: 'tissue-sar' }, `${fmt(r.tissue_average_sar_w_per_kg, 4)} W/kg (${fmt(r.tissue_mass_kg, 4)} kg)`),
          el('dt', {}, 'Absorbed power'), el('dd', {}, `${fmt(r.absorbed_power_w, 4)} W`),
          el('dt', {}, 'Incident power'), el('dd', {}, r.incident_power_w === null ? 'n/a (normalisation)' : `${fmt(r.incident_power_w, 4)} W`),
          el('dt', {}, 'SAR unit'), el('dd', {}, r.sar_unit),
          r.averaging_note ? [el('dt', {}, 'Averaging'), el('dd', {}, r.averaging_note)] : null,
          r.air_padding_voxels !== null ? [el('dt', {}, 'Air padding'), el('dd', {}, `${r.air_padding_voxels} voxels (for averaging cubes)`)] : null,
          el('dt', {}, 'Time'), el('dd', { id: 'compute-ms' }, `${fmt(r.compute_ms, 3)} ms on the server, ${fmt(roundTripMs, 3)} ms round trip`)));
      maps.replaceChildren(mapRow('Point SAR', 'map-point', r.point, r.grid, 'W/kg'),
        r.averaged ? mapRow(`${massText} SAR (IEC/IEEE 62704-1)`, 'map-avg', r.averaged, r.grid, 'W/kg') : el('span'));
      if (follow.checked) { const p = (r.averaged || r.point).peak_voxel; idx[0].value = p.i; idx[1].value = p.j; idx[2].value = p.k; }
    }

    update();
    return () => { closed = true; };
  },
};
