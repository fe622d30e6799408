// RF shim page: magnitude-least-squares RF shim (one spoke) of a dataset's channels on one z layer under certified
// 10 g local SAR limits (all Q-matrices, the dataset's VOP set at a margin or a VOP file, or the MVIE), run on the
// server as a background job (POST /api/shim/start, polled every second, cancellable). Shows the certification verdict
// and every design row of `sarkit shim --json`, |B1+| and 10 g SAR on the layer before (CP) and after, and links to
// download the drive JSON (`sarkit sar --drive`) and the waveform CSV (`sarkit pulse check`).
import { getJson, postJson, el, errorBox, fmt } from '../api.js';
import { drawSlice, drawColourBar } from '../heatmap.js';

const CANVAS_PX = 260;
const axisOf = (grid, a) => ({ minM: grid.extent_m[a][0], maxM: grid.extent_m[a][1], count: grid['n' + a] });
const mm = m => fmt(Math.abs(m) < 1e-12 ? 0 : m * 1e3, 4); // centres at 0 come out as ±1e-17 m

function num(id, value, min, max, step) { return el('input', { type: 'number', id, value, min, max, step }); }

function mapCard(title, id, slices, max, unit, grid) {
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

function designTable(r) {
  const head = ['constraints', 'count', 'NRMSE', 'mean |B1+| / µT', 'true peak 10 g / W/kg', "set's SAR / W/kg", 'limit used', 'global / W/kg', 'power vs all', 'solve CPU / s', 'verdict'];
  const tbody = el('tbody');
  for (const d of r.designs) {
    const verdict = d.scaled_to_limit ? el('span', { class: 'fail' }, 'SCALED (violated)') : d.certified ? el('span', { class: 'pass' }, 'certified') : el('span', { class: 'fail' }, 'FAIL');
    tbody.append(el('tr', { 'data-constraints': d.constraints },
      el('td', {}, d.constraints === 'cp' ? 'CP (reference)' : d.constraints), el('td', { class: 'num' }, d.constraint_count),
      el('td', { class: 'num' }, fmt(d.nrmse, 4)), el('td', { class: 'num' }, fmt(d.mean_b1_ut, 4)),
      el('td', { class: 'num' }, fmt(d.peak_sar10g_w_per_kg, 4)), el('td', { class: 'num' }, d.constraints === 'cp' ? '—' : fmt(d.constraint_sar10g_w_per_kg, 4)),
      el('td', { class: 'num' }, `${fmt(d.limit_fraction_used * 100, 3)} %`), el('td', { class: 'num' }, fmt(d.global_sar_w_per_kg, 4)),
      el('td', { class: 'num' }, d.power_relative_to_all === null ? '—' : fmt(d.power_relative_to_all, 3)),
      el('td', { class: 'num' }, fmt(d.solve_cpu_s, 3)), el('td', {}, verdict)));
  }
  return el('table', { id: 'shim-designs' }, el('thead', {}, el('tr', {}, head.map(h => el('th', {}, h)))), tbody);
}

export default {
  id: 'shim',
  title: 'RF shim',
  async render(root, params) {
    root.append(el('h1', {}, 'RF shim'));
    const [list, files] = await Promise.all([getJson('/api/datasets'), getJson('/api/vop/files')]);
    const readable = list.datasets.filter(d => !d.error);
    if (!readable.length) { root.append(el('p', {}, 'No readable dataset files in the data folder (see the Datasets page).')); return; }
    const others = files.files.map(f => f.path);
    let info = null, jobId = null, timer = null, alive = true;

    const dsSel = el('select', { id: 'shim-dataset' }, readable.map(d => el('option', { value: d.path }, d.path)));
    if (params.get('path') && readable.some(d => d.path === params.get('path'))) dsSel.value = params.get('path');
    const z = el('input', { type: 'range', id: 'shim-z', min: 0, max: 0, step: 1, value: 0 });
    const zLabel = el('span', { id: 'shim-z-label', class: 'muted' });
    const target = num('shim-target', '1', '0.01', '100', '0.1');
    const local = num('shim-local', '10', '0.1', '1000', '0.5');
    const global = num('shim-global', '3.2', '0', '1000', '0.1');
    const cons = el('select', { id: 'shim-constraints' },
      el('option', { value: 'all' }, 'all 10 g Q-matrices (row generation)'),
      el('option', { value: 'vop' }, 'VOPs'), el('option', { value: 'mvie' }, 'MVIE'));
    const margin = num('shim-margin', '5', '0.1', '100', '0.5');
    const vopFile = el('select', { id: 'shim-vop-file' }, el('option', { value: '' }, "(compress the dataset's Q-matrices at the margin)"), others.map(p => el('option', { value: p }, p)));
    const mvieFile = el('select', { id: 'shim-mvie-file' }, el('option', { value: '' }, "(compute from the dataset's Q-matrices)"), others.map(p => el('option', { value: p }, p)));
    const starts = num('shim-starts', '5', '1', '20', '1');
    const vopOpts = el('span', { id: 'shim-vop-options' }, el('label', {}, ' margin (% of SAR_wc) ', margin), ' ', el('label', {}, 'or VOP file ', vopFile));
    const mvieOpts = el('span', { id: 'shim-mvie-options' }, el('label', {}, ' MVIE file ', mvieFile));
    const showOpts = () => { vopOpts.hidden = cons.value !== 'vop'; mvieOpts.hidden = cons.value !== 'mvie'; };
    cons.addEventListener('change', showOpts); showOpts();
    const runBtn = el('button', { id: 'shim-run' }, 'Design shim');
    const cancelBtn = el('button', { id: 'shim-cancel', class: 'secondary', disabled: true }, 'Cancel');
    const status = el('span', { id: 'shim-status', class: 'muted', 'data-state': 'idle' });
    const bar = el('progress', { id: 'shim-progress', max: 1, value: 0, hidden: true });
    const out = el('div', { id: 'shim-result' });

    const zText = () => {
      if (!info) return '';
      const a = axisOf(info.grid, 'z'); const k = Number(z.value);
      return `k = ${k} (z ≈ ${mm(a.minM + (k + 0.5) * (a.maxM - a.minM) / a.count)} mm${info.grid.uniform ? '' : ', graded grid: see the result'})`;
    };
    z.addEventListener('input', () => { zLabel.textContent = zText(); });
    async function loadInfo() {
      info = await getJson(`/api/datasets/info?path=${encodeURIComponent(dsSel.value)}`);
      z.max = info.grid.nz - 1;
      z.value = params.has('z') ? params.get('z') : Math.floor(info.grid.nz / 2);
      zLabel.textContent = zText();
    }
    dsSel.addEventListener('change', () => loadInfo().catch(e => out.replaceChildren(errorBox(e))));
    await loadInfo();

    const setBusy = busy => { runBtn.disabled = busy; cancelBtn.disabled = !busy; bar.hidden = !busy; };
    function show(j) {
      const r = j.result, m = j.maps, grid = info.grid;
      const first = r.designs[0], cp = r.designs[r.designs.length - 1];
      const verdict = el('p', { id: 'shim-verdict', class: r.passed ? 'pass big' : 'fail big' },
        r.passed ? 'PASS: certified on every original 10 g Q-matrix' : 'FAIL: the design violated a limit on the originals (written drive scaled down)');
      const kv = el('dl', { class: 'kv' },
        el('dt', {}, 'Region'), el('dd', {}, `${r.roi}: ${r.roi_voxels} voxels, target ${fmt(r.target_ut, 4)} µT`),
        el('dt', {}, 'B1+'), el('dd', {}, `${r.b1_origin}, ${r.b1_convention}`),
        el('dt', {}, 'True peak 10 g SAR'), el('dd', { id: 'shim-peak' }, `${fmt(first.peak_sar10g_w_per_kg, 4)} W/kg of ${fmt(r.local_limit_w_per_kg, 4)} W/kg (${fmt(first.limit_fraction_used * 100, 3)} % of the limit used, cube ${first.peak_cube})`),
        el('dt', {}, 'NRMSE'), el('dd', { id: 'shim-nrmse' }, `${fmt(first.nrmse, 4)} (CP at the limits: ${fmt(cp.nrmse, 4)})`),
        el('dt', {}, 'Global SAR'), el('dd', {}, `${fmt(first.global_sar_w_per_kg, 4)} W/kg (${r.global_region}; limit ${r.global_limit_w_per_kg > 0 ? fmt(r.global_limit_w_per_kg, 4) + ' W/kg' : 'none'})`),
        el('dt', {}, 'Certified against'), el('dd', {}, `${r.original_matrices} original 10 g Q-matrices (${r.original_source})`),
        el('dt', {}, 'Run time'), el('dd', {}, `${fmt(j.elapsed_s, 3)} s (design ${fmt(r.elapsed_s, 3)} s)`));
      const dl = el('p', {},
        el('a', { id: 'shim-drive', href: `/api/shim/drive?id=${j.id}`, download: 'shim_drive.json' }, 'Download drive JSON'), ' (sarkit sar --drive FILE) · ',
        el('a', { id: 'shim-waveform', href: `/api/shim/waveform?id=${j.id}`, download: 'shim_waveform.csv' }, 'waveform CSV'), ' (sarkit pulse check; 1 ms block pulse, duty 1)');
      const warn = r.warnings.length ? el('ul', { class: 'muted' }, r.warnings.map(w => el('li', {}, w))) : null;
      const b1Max = Math.max(m.before.b1_max_ut, m.after.b1_max_ut);
      const sarMax = Math.max(m.before.layer_max_sar10g_w_per_kg, m.after.layer_max_sar10g_w_per_kg);
      const where = `layer k = ${m.z_index}, z = ${mm(m.z_position_m)} mm, x→ y↑`;
      out.replaceChildren(
        el('div', { class: 'card' }, verdict, kv, dl, warn),
        mapCard(`|B1+| on the layer (${where}; shared scale)`, 'shim-b1', [
          ['before (CP)', m.before.b1_plus_ut, `mean ${fmt(m.before.roi_mean_b1_ut, 4)} µT, max ${fmt(m.before.b1_max_ut, 4)} µT`],
          [`after (${m.after.constraints})`, m.after.b1_plus_ut, `mean ${fmt(m.after.roi_mean_b1_ut, 4)} µT, max ${fmt(m.after.b1_max_ut, 4)} µT`]], b1Max, 'µT', grid),
        mapCard(`10 g SAR on the layer (${where}; shared scale)`, 'shim-sar', [
          ['before (CP)', m.before.sar10g, `layer max ${fmt(m.before.layer_max_sar10g_w_per_kg, 4)} W/kg, model peak ${fmt(m.before.peak_sar10g_w_per_kg, 4)} W/kg`],
          [`after (${m.after.constraints})`, m.after.sar10g, `layer max ${fmt(m.after.layer_max_sar10g_w_per_kg, 4)} W/kg, model peak ${fmt(m.after.peak_sar10g_w_per_kg, 4)} W/kg`]], sarMax, 'W/kg', grid),
        el('div', { class: 'card' }, el('h2', {}, 'Designs (sarkit shim --json)'), designTable(r)));
    }
    async function poll() {
      timer = null;
      try {
        const j = await getJson(`/api/shim/job?id=${jobId}`);
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
      } catch (e) { setBusy(false); status.dataset.state = 'failed'; status.textContent = ''; out.replaceChildren(errorBox(e)); }
    }
    runBtn.addEventListener('click', async () => {
      const body = {
        path: dsSel.value, zIndex: Number(z.value), targetUt: Number(target.value), localLimitWPerKg: Number(local.value),
        globalLimitWPerKg: Number(global.value), constraints: cons.value, marginPercent: Number(margin.value),
        vopFile: vopFile.value || null, mvieFile: mvieFile.value || null, starts: Number(starts.value),
      };
      setBusy(true); status.dataset.state = 'running'; status.textContent = 'starting…'; bar.value = 0;
      out.replaceChildren(el('p', { class: 'muted busy' }, 'Designing (all matrices on the demo: typically 10–60 s; VOP and MVIE sets are built on first use)…'));
      try { const j = await postJson('/api/shim/start', body); jobId = j.id; poll(); }
      catch (e) { setBusy(false); status.dataset.state = 'failed'; status.textContent = ''; out.replaceChildren(errorBox(e)); }
    });
    cancelBtn.addEventListener('click', async () => {
      if (!jobId) return;
      try { await postJson(`/api/shim/cancel?id=${jobId}`, {}); status.textContent = 'cancelling…'; } catch (e) { out.replaceChildren(errorBox(e)); }
    });

    root.append(
      el('div', { class: 'card' },
        el('p', { class: 'muted' }, 'Magnitude least squares of |Σ w_n B1+_n| to the target over the tissue voxels of one z layer, under the local 10 g SAR limit '
          + '(constraint set below), the global SAR limit over the body and certification of the result against every original 10 g Q-matrix '
          + '(the use case of sarkit shim; docs/pulse-design.md).'),
        el('p', {}, el('label', {}, 'Dataset ', dsSel), ' ', el('label', {}, 'ROI layer ', z), ' ', zLabel),
        el('p', {}, el('label', {}, 'target |B1+| (µT) ', target), ' ', el('label', {}, 'local 10 g limit (W/kg) ', local), ' ',
          el('label', {}, 'global limit (W/kg, 0: none) ', global), ' ', el('label', {}, 'starts ', starts)),
        el('p', {}, el('label', {}, 'Constraint set ', cons), vopOpts, mvieOpts),
        el('p', {}, runBtn, ' ', cancelBtn, ' ', bar, ' ', status)),
      out);
    if (params.get('run') === '1') runBtn.click();
    return () => { alive = false; if (timer) clearTimeout(timer); };
  },
};
