// RF shim page: magnitude-least-squares RF shim (one spoke) of a dataset's channels on one z layer under certified
// 10 g local SAR limits (all Q-matrices, the dataset's VOP set at a margin or a VOP file, or the MVIE), run on the
// server as a background job (POST /api/shim/start, polled every second, cancellable). Shows the certification verdict
// and every design row of `sarkit shim --json`, |B1+| and 10 g SAR on the layer before (CP) and after, and links to
// download the drive JSON (`sarkit sar --drive`) and the waveform CSV (`sarkit pulse check`).
import { el, errorBox, fmt } from '../api.js';
import { designForm, jobLoop, jobControls, mapCard, mm, num, verdictOf, designVerdict } from '../design.js';

const powerText = (one, each) => each ? `${each.map(x => (x > 0 ? fmt(x, 4) : 'none')).join(' / ')} W per channel` : one > 0 ? `${fmt(one, 4)} W` : 'none';

function designTable(r) {
  const head = ['constraints', 'count', 'NRMSE', 'mean |B1+| / µT', 'true peak 10 g / W/kg', "set's SAR / W/kg", 'limit used', 'global / W/kg', 'power vs all', 'solve CPU / s', 'verdict'];
  const tbody = el('tbody');
  for (const d of r.designs) {
    const verdict = designVerdict(d);
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
    const f = await designForm('shim', params);
    if (!f) { root.append(el('p', {}, 'No readable dataset files in the data folder (see the Datasets page).')); return; }
    const target = num('shim-target', '1', '0.01', '100', '0.1');
    const duty = num('shim-duty', '1', '0.001', '1', '0.01');
    const ui = jobControls('shim', 'Design shim');
    const { out } = ui;
    f.dataset.addEventListener('change', () => f.loadInfo().catch(e => out.replaceChildren(errorBox(e))));
    await f.loadInfo();

    function show(j) {
      const r = j.result, m = j.maps, grid = f.info.grid;
      const first = r.designs[0], cp = r.designs[r.designs.length - 1];
      const verdict = verdictOf(r, 'shim-verdict');
      const kv = el('dl', { class: 'kv' },
        el('dt', {}, 'Region'), el('dd', {}, `${r.roi}: ${r.roi_voxels} voxels, target ${fmt(r.target_ut, 4)} µT`),
        el('dt', {}, 'B1+'), el('dd', {}, `${r.b1_origin}, ${r.b1_convention}`),
        el('dt', {}, 'True peak 10 g SAR'), el('dd', { id: 'shim-peak' }, `${fmt(first.peak_sar10g_w_per_kg, 4)} W/kg of ${fmt(r.local_limit_w_per_kg, 4)} W/kg (${fmt(first.limit_fraction_used * 100, 3)} % of the limit used, cube ${first.peak_cube})`),
        el('dt', {}, 'NRMSE'), el('dd', { id: 'shim-nrmse' }, `${fmt(first.nrmse, 4)} (CP at the limits: ${fmt(cp.nrmse, 4)})`),
        el('dt', {}, 'Duty cycle'), el('dd', { id: 'shim-duty-result' }, `${fmt(r.duty_cycle, 4)} (SAR and average power are pulse values × duty)`),
        el('dt', {}, 'Channel power limits'), el('dd', {}, `peak ${powerText(r.channel_peak_power_w, r.channel_peak_powers_w)}, average ${powerText(r.channel_average_power_w, r.channel_average_powers_w)}`),
        el('dt', {}, 'Global SAR'), el('dd', {}, `${fmt(first.global_sar_w_per_kg, 4)} W/kg (${r.global_region}; limit ${r.global_limit_w_per_kg > 0 ? fmt(r.global_limit_w_per_kg, 4) + ' W/kg' : 'none'})`),
        el('dt', {}, 'Certified against'), el('dd', {}, `${r.original_matrices} original 10 g Q-matrices (${r.original_source})`),
        el('dt', {}, 'Run time'), el('dd', {}, `${fmt(j.elapsed_s, 3)} s (design ${fmt(r.elapsed_s, 3)} s)`));
      const dl = el('p', {},
        el('a', { id: 'shim-drive', href: `/api/shim/drive?id=${j.id}`, download: 'shim_drive.json' }, 'Download drive JSON'), ' (sarkit sar --drive FILE) · ',
        el('a', { id: 'shim-waveform', href: `/api/shim/waveform?id=${j.id}`, download: 'shim_waveform.csv' }, 'waveform CSV'), ` (sarkit pulse check; 1 ms block pulse every ${fmt(1 / r.duty_cycle, 4)} ms)`);
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
    const job = jobLoop('shim', ui, show, 'Designing (all matrices on the demo: typically 10–60 s; VOP and MVIE sets are built on first use)…');
    ui.runBtn.addEventListener('click', () => job.start({ ...f.body(), targetUt: Number(target.value), dutyCycle: Number(duty.value) }));
    ui.cancelBtn.addEventListener('click', () => job.cancel());

    root.append(
      el('div', { class: 'card' },
        el('p', { class: 'muted' }, 'Magnitude least squares of |Σ w_n B1+_n| to the target over the tissue voxels of one z layer, under the local 10 g SAR limit '
          + '(constraint set below), the global SAR limit over the body and certification of the result against every original 10 g Q-matrix '
          + '(the use case of sarkit shim; docs/pulse-design.md).'),
        f.datasetRow,
        el('p', {}, el('label', {}, 'target |B1+| (µT) ', target), ' ', el('label', {}, 'duty cycle (0–1) ', duty)),
        f.limitsRow, f.powerRow, f.consRow,
        el('p', {}, ui.runBtn, ' ', ui.cancelBtn, ' ', ui.bar, ' ', ui.status)),
      out);
    if (params.get('run') === '1') ui.runBtn.click();
    return () => job.stop();
  },
};
