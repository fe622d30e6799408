// Shared parts of the pulse-design pages (RF shim, spokes): dataset + ROI layer choice, constraint set, limits in SI
// units (local/global SAR, per-channel peak/average power: one value or one per channel), the background-job loop
// (start, poll every second, cancel) and the map cards. The server checks every field (400 naming it); nothing here
// replaces a value the user typed.
import { getJson, postJson, el, errorBox, fmt } from './api.js';
import { drawSlice, drawColourBar } from './heatmap.js';

const CANVAS_PX = 260;
export const axisOf = (grid, a) => ({ minM: grid.extent_m[a][0], maxM: grid.extent_m[a][1], count: grid['n' + a] });
export const mm = m => fmt(Math.abs(m) < 1e-12 ? 0 : m * 1e3, 4); // centres at 0 come out as ±1e-17 m

export function num(id, value, min, max, step) { return el('input', { type: 'number', id, value, min, max, step }); }

// A number field's value for the request: a finite number, else the raw text (the server refuses it naming the field).
export const numberOrText = t => (t.trim() !== '' && Number.isFinite(Number(t)) ? Number(t) : t);

// Row of colour maps of one z layer with a shared scale: slices = [[label, slice, caption], …].
export function mapCard(title, id, slices, max, unit, grid) {
  const ext = ['x', 'y'].map(a => axisOf(grid, a).maxM - axisOf(grid, a).minM);
  const ppm = CANVAS_PX / Math.max(...ext);
  const width = a => { const x = axisOf(grid, a); return (x.maxM - x.minM) / x.count * ppm; };
  const row = el('div', { class: 'slices' });
  for (const [label, s, stat] of slices) {
    const canvas = el('canvas', { 'data-map': `${id}-${label}` });
    drawSlice(canvas, s, max, [width('x'), width('y')], null);
    row.append(el('div', { class: 'slice' }, el('strong', {}, label), canvas, el('span', { class: 'label' }, stat)));
  }
  const bar = el('canvas');
  drawColourBar(bar, 160);
  row.append(el('div', { class: 'colourbar' }, el('span', {}, fmt(max, 4)), bar, el('span', {}, '0'), el('span', { class: 'muted' }, unit)));
  return el('div', { class: 'card', id }, el('h2', {}, title), row);
}

// The verdict of a certified design: PASS only when the written design holds every limit on every original.
export function verdictOf(r, id) {
  return el('p', { id, class: r.passed ? 'pass big' : 'fail big' },
    r.passed ? 'PASS: certified on every original 10 g Q-matrix'
      : 'FAIL: the design violated a limit on the originals (not a valid design; the written pulse is scaled down to the limits)');
}

export function designVerdict(d) {
  return d.scaled_to_limit ? el('span', { class: 'fail' }, 'SCALED (violated)') : d.certified ? el('span', { class: 'pass' }, 'certified') : el('span', { class: 'fail' }, 'FAIL');
}

// The form parts every pulse-design page has. prefix: element id prefix ("shim", "spokes").
export async function designForm(prefix, params) {
  const [list, files] = await Promise.all([getJson('/api/datasets'), getJson('/api/vop/files')]);
  const readable = list.datasets.filter(d => !d.error);
  if (!readable.length) return null;
  const others = files.files.map(f => f.path);
  const f = { info: null };
  f.dataset = el('select', { id: `${prefix}-dataset` }, readable.map(d => el('option', { value: d.path }, d.path)));
  if (params.get('path') && readable.some(d => d.path === params.get('path'))) f.dataset.value = params.get('path');
  f.z = el('input', { type: 'range', id: `${prefix}-z`, min: 0, max: 0, step: 1, value: 0 });
  const zLabel = el('span', { id: `${prefix}-z-label`, class: 'muted' });
  f.local = num(`${prefix}-local`, '10', '0.1', '1000', '0.5');
  f.global = num(`${prefix}-global`, '3.2', '0', '1000', '0.1');
  f.peak = el('input', { type: 'text', id: `${prefix}-peak-power`, placeholder: '0 = none', size: 18 });
  f.average = el('input', { type: 'text', id: `${prefix}-average-power`, placeholder: '0 = none', size: 18 });
  f.cons = el('select', { id: `${prefix}-constraints` },
    el('option', { value: 'all' }, 'all 10 g Q-matrices (row generation)'),
    el('option', { value: 'vop' }, 'VOPs'), el('option', { value: 'vop-seeded' }, 'VOPs, then polished against every 10 g Q-matrix'),
    el('option', { value: 'mvie' }, 'MVIE'));
  f.margin = num(`${prefix}-margin`, '5', '0.1', '100', '0.5');
  f.vopFile = el('select', { id: `${prefix}-vop-file` }, el('option', { value: '' }, "(compress the dataset's Q-matrices at the margin)"), others.map(p => el('option', { value: p }, p)));
  f.mvieFile = el('select', { id: `${prefix}-mvie-file` }, el('option', { value: '' }, "(compute from the dataset's Q-matrices)"), others.map(p => el('option', { value: p }, p)));
  f.starts = num(`${prefix}-starts`, '5', '1', '20', '1');
  const vopOpts = el('span', {}, el('label', {}, ' margin (% of SAR_wc) ', f.margin), ' ', el('label', {}, 'or VOP file ', f.vopFile));
  const mvieOpts = el('span', {}, el('label', {}, ' MVIE file ', f.mvieFile));
  const showOpts = () => { vopOpts.hidden = !['vop', 'vop-seeded'].includes(f.cons.value); mvieOpts.hidden = f.cons.value !== 'mvie'; };
  f.cons.addEventListener('change', showOpts); showOpts();
  const zText = () => {
    if (!f.info) return '';
    const a = axisOf(f.info.grid, 'z'); const k = Number(f.z.value);
    return `k = ${k} (z ≈ ${mm(a.minM + (k + 0.5) * (a.maxM - a.minM) / a.count)} mm${f.info.grid.uniform ? '' : ', graded grid: see the result'})`;
  };
  f.z.addEventListener('input', () => { zLabel.textContent = zText(); });
  f.loadInfo = async () => {
    f.info = await getJson(`/api/datasets/info?path=${encodeURIComponent(f.dataset.value)}`);
    f.z.max = f.info.grid.nz - 1;
    f.z.value = params.has('z') ? params.get('z') : Math.floor(f.info.grid.nz / 2);
    zLabel.textContent = zText();
  };
  f.datasetRow = el('p', {}, el('label', {}, 'Dataset ', f.dataset), ' ', el('label', {}, 'ROI layer ', f.z), ' ', zLabel);
  f.limitsRow = el('p', {}, el('label', {}, 'local 10 g limit (W/kg) ', f.local), ' ', el('label', {}, 'global limit (W/kg, 0: none) ', f.global), ' ',
    el('label', {}, 'starts ', f.starts));
  f.powerRow = el('p', {}, el('label', {}, 'channel peak power (W) ', f.peak), ' ', el('label', {}, 'channel average power (W) ', f.average),
    el('span', { class: 'muted' }, ' one value for every channel, or one per channel separated by commas; empty or 0: no limit'));
  f.consRow = el('p', {}, el('label', {}, 'Constraint set ', f.cons), vopOpts, mvieOpts);
  // the shared fields of the request body
  f.body = () => {
    const body = {
      path: f.dataset.value, zIndex: Number(f.z.value), localLimitWPerKg: Number(f.local.value), globalLimitWPerKg: Number(f.global.value),
      constraints: f.cons.value, marginPercent: Number(f.margin.value), vopFile: f.vopFile.value || null, mvieFile: f.mvieFile.value || null,
      starts: Number(f.starts.value),
    };
    for (const [input, one, each] of [[f.peak, 'channelPeakPowerW', 'channelPeakPowersW'], [f.average, 'channelAveragePowerW', 'channelAveragePowersW']]) {
      const parts = input.value.split(/[,;\s]+/).filter(s => s !== '');
      if (parts.length === 1) body[one] = numberOrText(parts[0]);
      else if (parts.length > 1) body[each] = parts.map(numberOrText);
    }
    return body;
  };
  return f;
}

// The start / poll / cancel loop of a background design job. ui: {runBtn, cancelBtn, status, bar, out}; show(job) renders a done job.
export function jobLoop(api, ui, show, busyText) {
  let jobId = null, timer = null, alive = true;
  const { runBtn, cancelBtn, status, bar, out } = ui;
  const setBusy = busy => { runBtn.disabled = busy; cancelBtn.disabled = !busy; bar.hidden = !busy; };
  const fail = e => { setBusy(false); status.dataset.state = 'failed'; status.textContent = ''; out.replaceChildren(errorBox(e)); };
  async function poll() {
    timer = null;
    try {
      const j = await getJson(`/api/${api}/job?id=${jobId}`);
      if (!alive) return;
      if (j.state === 'running') {
        status.textContent = `${j.stage || 'running'}… ${fmt(j.elapsed_s, 2)} s`;
        bar.value = j.stage_fraction;
        timer = setTimeout(poll, 1000);
        return;
      }
      setBusy(false);
      status.dataset.state = j.state;
      if (j.state === 'done') { status.textContent = `done in ${fmt(j.elapsed_s, 3)} s`; show(j); }
      else if (j.state === 'cancelled') { status.textContent = 'cancelled'; out.replaceChildren(el('p', { class: 'muted' }, 'Cancelled.')); }
      else { status.textContent = ''; out.replaceChildren(errorBox(new Error(j.error))); }
    } catch (e) { fail(e); }
  }
  return {
    async start(body) {
      setBusy(true); status.dataset.state = 'running'; status.textContent = 'starting…'; bar.value = 0;
      out.replaceChildren(el('p', { class: 'muted busy' }, busyText));
      try { const j = await postJson(`/api/${api}/start`, body); jobId = j.id; poll(); } catch (e) { fail(e); }
    },
    async cancel() {
      if (!jobId) return;
      try { await postJson(`/api/${api}/cancel?id=${jobId}`, {}); status.textContent = 'cancelling…'; } catch (e) { out.replaceChildren(errorBox(e)); }
    },
    stop() { alive = false; if (timer) clearTimeout(timer); },
  };
}

// Run / cancel buttons, progress bar, status and result area of a design page.
export function jobControls(prefix, runText) {
  return {
    runBtn: el('button', { id: `${prefix}-run` }, runText),
    cancelBtn: el('button', { id: `${prefix}-cancel`, class: 'secondary', disabled: true }, 'Cancel'),
    status: el('span', { id: `${prefix}-status`, class: 'muted', 'data-state': 'idle' }),
    bar: el('progress', { id: `${prefix}-progress`, max: 1, value: 0, hidden: true }),
    out: el('div', { id: `${prefix}-result` }),
  };
}
