// Spokes / kT-points page: a multi-sub-pulse pTx pulse (small-tip-angle magnitude least squares of the flip angle on one
// z layer) under certified, time-averaged 10 g local SAR limits (all Q-matrices, the dataset's VOP set at a margin or a
// VOP file, that VOP design polished against every Q-matrix, or the MVIE), global SAR and per-channel power limits, run on
// the server as a background job (POST /api/spokes/start, the use case of `sarkit spokes`; polled every second,
// cancellable). Shows the certification verdict, every design row of `sarkit spokes --json`, the flip angle and the
// time-averaged 10 g SAR on the layer before (CP, within the limits) and after, and links to download the multi-channel
// waveform CSV (`sarkit pulse check`) and the Pulseq file (`sarkit seq check`).
import { el, errorBox, fmt } from '../api.js';
import { designForm, jobLoop, jobControls, mapCard, mm, num, verdictOf, designVerdict } from '../design.js';

function designTable(r) {
  const head = ['constraints', 'count', 'NRMSE', 'mean flip / °', 'true peak 10 g / W/kg', "set's SAR / W/kg", 'limit used', 'global / W/kg', 'power vs all', 'solve CPU / s', 'verdict'];
  const tbody = el('tbody');
  for (const d of r.designs) {
    tbody.append(el('tr', { 'data-constraints': d.constraints },
      el('td', {}, d.constraints), el('td', { class: 'num' }, d.constraint_count),
      el('td', { class: 'num' }, fmt(d.nrmse, 4)), el('td', { class: 'num' }, fmt(d.mean_flip_deg, 4)),
      el('td', { class: 'num' }, fmt(d.peak_sar10g_w_per_kg, 4)), el('td', { class: 'num' }, fmt(d.constraint_sar10g_w_per_kg, 4)),
      el('td', { class: 'num' }, `${fmt(d.limit_fraction_used * 100, 3)} %`), el('td', { class: 'num' }, fmt(d.global_sar_w_per_kg, 4)),
      el('td', { class: 'num' }, d.power_relative_to_all === null ? '—' : fmt(d.power_relative_to_all, 3)),
      el('td', { class: 'num' }, fmt(d.solve_cpu_s, 3)), el('td', {}, designVerdict(d))));
  }
  return el('table', { id: 'spokes-designs' }, el('thead', {}, el('tr', {}, head.map(h => el('th', {}, h)))), tbody);
}

function weightsTable(d) {
  const n = d.sub_pulses[0].amplitude.length;
  const head = ['sub-pulse', 'k / rad/m (x, y, z)', ...Array.from({ length: n }, (_, c) => `ch ${c + 1}`)];
  const rows = d.sub_pulses.map((s, j) => el('tr', {}, el('td', {}, j + 1), el('td', { class: 'num' }, s.k_rad_per_m.map(x => fmt(x, 3)).join(', ')),
    s.amplitude.map((a, c) => el('td', { class: 'num' }, `${fmt(a, 3)} ∠ ${fmt(s.phase_deg[c], 3)}°`))));
  return el('table', { id: 'spokes-weights', class: 'drive' }, el('thead', {}, el('tr', {}, head.map(h => el('th', {}, h)))), el('tbody', {}, rows));
}

export default {
  id: 'spokes',
  title: 'Spokes',
  async render(root, params) {
    root.append(el('h1', {}, 'Spokes / kT-points'));
    const f = await designForm('spokes', params);
    if (!f) { root.append(el('p', {}, 'No readable dataset files in the data folder (see the Datasets page).')); return; }
    const k = num('spokes-k', '3', '1', '7', '1');
    const traj = el('select', { id: 'spokes-trajectory' }, el('option', { value: 'kt' }, 'kT-points (centre, ±x, ±y, ±z)'), el('option', { value: 'spokes' }, 'spokes (centre, ± in-plane axes)'));
    const shape = el('select', { id: 'spokes-shape' }, el('option', { value: 'hard' }, 'hard'), el('option', { value: 'sinc' }, 'sinc (Hanning)'));
    const dur = num('spokes-duration', '0.2', '0.001', '10', '0.01');
    const tbw = num('spokes-tbw', '4', '0.1', '100', '0.5');
    const gap = num('spokes-gap', '0.1', '0', '10', '0.01');
    const tr = num('spokes-tr', '10', '0.01', '10000', '1');
    const flip = num('spokes-flip', '10', '0.1', '90', '1');
    const ui = jobControls('spokes', 'Design pulse');
    const { out } = ui;
    f.dataset.addEventListener('change', () => f.loadInfo().catch(e => out.replaceChildren(errorBox(e))));
    await f.loadInfo();

    function show(j) {
      const r = j.result, m = j.maps, grid = f.info.grid, d = r.designs[0];
      const kv = el('dl', { class: 'kv' },
        el('dt', {}, 'Region'), el('dd', {}, `${r.roi}: ${r.roi_voxels} voxels, target ${fmt(r.target_flip_deg, 4)}°`),
        el('dt', {}, 'Pulse'), el('dd', {}, `${r.sub_pulse_count} × ${r.sub_pulse_shape} ${fmt(r.sub_pulse_duration_s * 1e3, 4)} ms (${r.trajectory}), gap ${fmt(r.gap_s * 1e3, 4)} ms, length ${fmt(r.pulse_length_s * 1e3, 4)} ms, TR ${fmt(r.repetition_time_s * 1e3, 4)} ms`),
        el('dt', {}, 'True peak 10 g SAR'), el('dd', { id: 'spokes-peak' }, `${fmt(d.peak_sar10g_w_per_kg, 4)} W/kg of ${fmt(r.local_limit_w_per_kg, 4)} W/kg, time-averaged over TR (${fmt(d.limit_fraction_used * 100, 3)} % of the limit used, margin ${fmt((1 - d.limit_fraction_used) * 100, 3)} %, cube ${d.peak_cube})`),
        el('dt', {}, 'NRMSE'), el('dd', { id: 'spokes-nrmse' }, `${fmt(d.nrmse, 4)} (CP within the limits: ${fmt(m.before.nrmse, 4)})`),
        el('dt', {}, 'Global SAR'), el('dd', {}, `${fmt(d.global_sar_w_per_kg, 4)} W/kg (${r.global_region}; limit ${r.global_limit_w_per_kg > 0 ? fmt(r.global_limit_w_per_kg, 4) + ' W/kg' : 'none'})`),
        el('dt', {}, 'Certified against'), el('dd', {}, `${r.original_matrices} original 10 g Q-matrices (${r.original_source}); CLI exit status ${r.passed ? '0 (pass)' : '3 (the written pulse needed scaling)'}`),
        el('dt', {}, 'Run time'), el('dd', {}, `${fmt(j.elapsed_s, 3)} s (design ${fmt(r.elapsed_s, 3)} s)`));
      const unit = { per_volt_incident: 'V', per_sqrt_watt_incident: 'sqrt(W)', per_ampere: 'A' }[r.normalisation] || '<drive unit>';
      const dl = el('p', {}, el('a', { id: 'spokes-waveform', href: `/api/spokes/waveform?id=${j.id}`, download: 'spokes_waveform.csv' }, 'Download waveform CSV'),
        ` (sarkit pulse check FILE; one repetition, period TR${r.passed ? '' : '; the SCALED pulse, labelled in the file'}) · `,
        el('a', { id: 'spokes-seq', href: `/api/spokes/seq?id=${j.id}`, download: 'spokes.seq' }, 'Pulseq file'),
        ` (sarkit seq check FILE --calibration '1 ${unit}/uT'; one block per sub-pulse with RF_SHIMS, no gradients; needs durations on the 10 µs block raster)`);
      const warn = r.warnings.length ? el('ul', { class: 'muted' }, r.warnings.map(w => el('li', {}, w))) : null;
      const max = Math.max(m.before.flip_max_deg, m.after.flip_max_deg);
      const where = `layer k = ${m.z_index}, z = ${mm(m.z_position_m)} mm, x→ y↑`;
      const afterLabel = r.passed ? `after (${m.after.constraints})` : `after (${m.after.constraints}, SCALED: not valid)`;
      out.replaceChildren(
        el('div', { class: 'card' }, verdictOf(r, 'spokes-verdict'), kv, dl, warn),
        mapCard(`Small-tip flip angle on the layer (${where}; shared scale)`, 'spokes-flip', [
          ['before (CP)', m.before.flip_deg, `mean ${fmt(m.before.roi_mean_flip_deg, 4)}°, NRMSE ${fmt(m.before.nrmse, 4)}, peak 10 g ${fmt(m.before.peak_sar10g_w_per_kg, 4)} W/kg`],
          [afterLabel, m.after.flip_deg, `mean ${fmt(m.after.roi_mean_flip_deg, 4)}°, NRMSE ${fmt(m.after.nrmse, 4)}, peak 10 g ${fmt(m.after.peak_sar10g_w_per_kg, 4)} W/kg`]], max, '°', grid),
        mapCard(`10 g SAR on the layer, time-averaged over TR (${where}; shared scale)`, 'spokes-sar', [
          ['before (CP)', m.before.sar10g, `layer max ${fmt(m.before.layer_max_sar10g_w_per_kg, 4)} W/kg, model peak ${fmt(m.before.map_peak_sar10g_w_per_kg, 4)} W/kg`],
          [afterLabel, m.after.sar10g, `layer max ${fmt(m.after.layer_max_sar10g_w_per_kg, 4)} W/kg, model peak ${fmt(m.after.map_peak_sar10g_w_per_kg, 4)} W/kg`]],
          Math.max(m.before.layer_max_sar10g_w_per_kg, m.after.layer_max_sar10g_w_per_kg), 'W/kg', grid),
        el('div', { class: 'card' }, el('h2', {}, 'Designs (sarkit spokes --json)'), designTable(r)),
        el('div', { class: 'card' }, el('h2', {}, 'Sub-pulse weights of the written pulse (amplitude in the drive unit ∠ phase)'), weightsTable(d)));
    }
    const job = jobLoop('spokes', ui, show, 'Designing (K = 3 with all matrices on the demo: about a minute; VOP and MVIE sets are built on first use)…');
    ui.runBtn.addEventListener('click', () => job.start({
      ...f.body(), subPulses: Number(k.value), trajectory: traj.value, shape: shape.value, subPulseDurationS: Number(dur.value) * 1e-3,
      timeBandwidth: Number(tbw.value), gapS: Number(gap.value) * 1e-3, repetitionTimeS: Number(tr.value) * 1e-3, targetFlipDeg: Number(flip.value),
    }));
    ui.cancelBtn.addEventListener('click', () => job.cancel());

    root.append(
      el('div', { class: 'card' },
        el('p', { class: 'muted' }, 'Small-tip-angle magnitude least squares of the flip angle of K sub-pulses at k-space positions (kT-points or spokes) over the tissue '
          + 'voxels of one z layer, under the time-averaged local 10 g SAR limit (constraint set below), the global SAR limit, per-channel power limits, '
          + 'and certification of the result against every original 10 g Q-matrix (the use case of sarkit spokes; docs/pulse-design.md).'),
        f.datasetRow,
        el('p', {}, el('label', {}, 'sub-pulses K ', k), ' ', el('label', {}, 'trajectory ', traj), ' ', el('label', {}, 'shape ', shape), ' ',
          el('label', {}, 'time-bandwidth ', tbw)),
        el('p', {}, el('label', {}, 'sub-pulse (ms) ', dur), ' ', el('label', {}, 'gap (ms) ', gap), ' ', el('label', {}, 'TR (ms) ', tr), ' ',
          el('label', {}, 'target flip angle (°) ', flip)),
        f.limitsRow, f.powerRow, f.consRow,
        el('p', {}, ui.runBtn, ' ', ui.cancelBtn, ' ', ui.bar, ' ', ui.status)),
      out);
    if (params.get('run') === '1') ui.runBtn.click();
    return () => job.stop();
  },
};
