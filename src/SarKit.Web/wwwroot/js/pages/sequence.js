// Sequence check page: upload a Pulseq .seq, choose the matrices (all 10 g Q-matrices of a dataset or its certified VOP
// set), drive calibration and IEC mode; verdict per limit, binding constraint, largest compliant RF scale, shortest
// compliant repetition and the 10 s / 6 min SAR timeline against the limits.
import { getJson, postText, el, errorBox, fmt } from '../api.js';
import { linePlot, palette } from '../svgplot.js';

// The answer is the snake_case result of `sarkit seq check --json` plus `timeline` (docs/web.md).
function resultCard(r, ctx) {
  const b = r.binding;
  const mat = r.matrices[0];
  const verdict = el('p', { id: 'seq-verdict', class: `big ${r.passed ? 'pass' : 'fail'}` }, r.passed ? 'PASS' : 'FAIL');
  const rows = r.limits.map(o => el('tr', {},
    el('td', {}, o.metric), el('td', { class: 'num' }, `${fmt(o.window_s)} s`), el('td', { class: 'num' }, o.evaluated ? fmt(o.sar_w_per_kg, 5) : '—'),
    el('td', { class: 'num' }, fmt(o.limit_w_per_kg, 4)), el('td', { class: 'num' }, o.evaluated ? fmt(o.ratio, 4) : '—'),
    el('td', { class: !o.evaluated ? 'muted' : o.passed ? 'pass' : 'fail' }, !o.evaluated ? 'not evaluated' : o.passed ? 'pass' : 'FAIL'),
    el('td', { class: 'num' }, o.evaluated ? `${fmt(o.worst_window_end_s, 5)} s` : ''), el('td', { class: 'num' }, o.evaluated ? o.matrix_index : '')));
  const series = [], lines = [];
  r.timeline.forEach((t, i) => {
    const colour = palette[i % palette.length];
    series.push({ label: `${t.metric} ${fmt(t.window_s)} s window`, x: t.t_end_s, y: t.sar_w_per_kg, colour });
    for (const l of t.limits_w_per_kg) lines.push({ label: `limit ${fmt(l, 4)} W/kg (${fmt(t.window_s)} s)`, y: l, colour });
  });
  return el('div', { class: 'card', id: 'seq-result' },
    el('div', { class: 'row' }, verdict,
      el('dl', { class: 'kv' },
        el('dt', {}, 'Binding'), el('dd', { id: 'seq-binding' }, b ? `${b.metric} ${fmt(b.window_s)} s: ${fmt(b.sar_w_per_kg, 5)} W/kg = ${fmt(b.ratio, 4)} of ${fmt(b.limit_w_per_kg, 4)} W/kg` : 'none'),
        el('dt', {}, 'Worst window'), el('dd', {}, b ? `ends at ${fmt(b.worst_window_end_s, 6)} s (matrix ${b.matrix_index})` : '—'),
        el('dt', {}, 'Largest compliant RF scale'), el('dd', { id: 'seq-scale' }, r.max_scale_factor === null ? 'unbounded (no SAR)' : `${fmt(r.max_scale_factor, 5)} (SAR ∝ scale²)`),
        el('dt', {}, 'Shortest compliant TR'), el('dd', { id: 'seq-tr' }, r.shortest_repetition_s === null ? 'none: one repetition alone exceeds a limit; reduce the RF scale'
          : `${fmt(r.shortest_repetition_s, 6)} s (add ${fmt(r.minimum_added_delay_s, 4)} s per repetition)`),
        el('dt', {}, 'Sequence'), el('dd', {}, `${r.source}: period ${fmt(r.period_s, 6)} s, ${r.rf_events} RF events (${r.distinct_rf_events} distinct), ${r.repetition}`),
        el('dt', {}, 'Signature'), el('dd', { id: 'seq-signature', class: r.signature === 'verified' ? 'pass' : 'fail' },
          r.signature === 'verified' ? 'verified ([SIGNATURE] hash matches the file)'
            : 'ABSENT: the file has no [SIGNATURE]; deleted or edited rows cannot be detected'),
        el('dt', {}, 'Matrices'), el('dd', {}, `${mat.name}: ${mat.count} × ${mat.channels}² (W/kg per ${mat.drive_unit}²)`),
        el('dt', {}, 'Calibration'), el('dd', {}, `${fmt(ctx.calibration)} ${mat.drive_unit}/uT per channel, CP shim`),
        el('dt', {}, 'Limits'), el('dd', {}, `${r.mode} mode, ${r.limit_table}`),
        el('dt', {}, 'Request time'), el('dd', {}, `${fmt(ctx.ms / 1000, 3)} s`))),
    el('table', { id: 'seq-limits' }, el('tr', {}, ['limit', 'window', 'SAR W/kg', 'limit W/kg', 'ratio', 'result', 'worst window ends', 'matrix'].map(h => el('th', {}, h))), rows),
    el('h2', {}, 'SAR per window vs limits'),
    el('div', { id: 'seq-timeline' }, series.length ? linePlot(series, lines, { xLabel: 'window end (s)', yLabel: 'SAR (W/kg)' }) : el('p', { class: 'muted' }, 'no timeline')));
}

export default {
  id: 'sequence',
  title: 'Sequence check',
  async render(root, params) {
    root.append(el('h1', {}, 'Sequence check (IEC 60601-2-33)'));
    const [list, defaults, about] = await Promise.all([getJson('/api/datasets'), getJson('/api/seq/defaults'), getJson('/api/about')]);
    const paths = list.datasets.filter(d => !d.error).map(d => d.path);
    const ds = el('select', { id: 'seq-dataset' }, paths.map(p => el('option', { value: p }, p)));
    if (params.get('path') && paths.includes(params.get('path'))) ds.value = params.get('path');
    const mat = el('select', { id: 'seq-matrices' }, el('option', { value: 'q' }, 'all 10 g Q-matrices (exact)'), el('option', { value: 'vop' }, 'certified VOP set (compressed on demand)'));
    if (params.get('matrices') === 'vop') mat.value = 'vop';
    const margin = el('input', { type: 'number', id: 'seq-margin', value: params.get('margin') || String(defaults.margin_percent), min: '0.1', max: '100', step: '0.5' });
    const cal = el('input', { type: 'number', id: 'seq-calibration', value: String(defaults.calibration_v_per_micro_tesla), min: '0', step: 'any' });
    const mode = el('select', { id: 'seq-mode' }, el('option', { value: 'normal' }, 'Normal'), el('option', { value: 'first' }, 'First level'));
    const region = el('select', { id: 'seq-region' }, ['head', 'trunk', 'extremity'].map(x => el('option', { value: x }, x)));
    const repeat = el('select', { id: 'seq-repeat' }, el('option', { value: 'steady' }, 'repeated (steady state)'), el('option', { value: 'once' }, 'played once'));
    const file = el('input', { type: 'file', id: 'seq-file', accept: '.seq' });
    const run = el('button', { id: 'seq-run' }, 'Check');
    const out = el('div');
    run.addEventListener('click', async () => {
      const f = file.files && file.files[0];
      if (!f) { out.replaceChildren(errorBox('Choose a Pulseq .seq file first.')); return; }
      if (f.size > about.max_upload_bytes) { out.replaceChildren(errorBox(`${f.name}: ${f.size} bytes is over the upload limit of ${about.max_upload_bytes} bytes.`)); return; }
      const q = new URLSearchParams({ path: ds.value, matrices: mat.value, marginPercent: margin.value, calibration: cal.value, mode: mode.value, localRegion: region.value, repeat: repeat.value, name: f.name });
      run.disabled = true;
      out.replaceChildren(el('p', { class: 'muted busy', id: 'seq-busy' }, mat.value === 'vop' ? 'Checking (the first VOP use compresses and certifies the set: 10–30 s)…' : 'Checking…'));
      try {
        const t0 = performance.now();
        const r = await postText(`/api/seq/check?${q}`, await f.text());
        out.replaceChildren(resultCard(r, { calibration: Number(cal.value), ms: performance.now() - t0 }));
      }
      catch (e) { out.replaceChildren(errorBox(e)); }
      finally { run.disabled = false; }
    });
    root.append(el('div', { class: 'card' },
      el('p', { class: 'muted' }, `Pulseq 1.4/1.5 .seq up to ${Math.round(about.max_upload_bytes / 1024)} KiB. RF blocks without RF_SHIMS are played in CP mode `
        + '(magnitude 1, phase −360°·c/N per channel); the calibration converts 1 µT of Pulseq B1 to the dataset\'s drive unit on every channel. '
        + 'Local SAR is checked with the dataset\'s 10 g matrices; whole-body and head limits need region matrices and are not evaluated here.'),
      el('div', { class: 'row' },
        el('label', {}, 'Sequence ', file), el('label', {}, 'Dataset ', ds), el('label', {}, 'Matrices ', mat), el('label', {}, 'VOP margin % ', margin)),
      el('div', { class: 'row' },
        el('label', {}, 'Calibration (V/µT per channel) ', cal), el('label', {}, 'Mode ', mode), el('label', {}, 'Local limit ', region), el('label', {}, 'Repetition ', repeat), run)),
      out);
  },
};
