// Sequence check page: upload a Pulseq .seq, choose the matrices (all 10 g Q-matrices of a dataset or its certified VOP
// set), drive calibration and IEC mode; verdict per limit, binding constraint, largest compliant RF scale, shortest
// compliant repetition and the 10 s / 6 min SAR timeline against the limits.
import { getJson, postText, el, errorBox, fmt } from '../api.js';
import { linePlot, palette } from '../svgplot.js';

function resultCard(r) {
  const b = r.binding;
  const verdict = el('p', { id: 'seq-verdict', class: `big ${r.passed ? 'pass' : 'fail'}` }, r.passed ? 'PASS' : 'FAIL');
  const rows = r.limits.map(o => el('tr', {},
    el('td', {}, o.metric), el('td', { class: 'num' }, `${fmt(o.windowS)} s`), el('td', { class: 'num' }, o.evaluated ? fmt(o.sarWPerKg, 5) : '—'),
    el('td', { class: 'num' }, fmt(o.limitWPerKg, 4)), el('td', { class: 'num' }, o.evaluated ? fmt(o.ratio, 4) : '—'),
    el('td', { class: !o.evaluated ? 'muted' : o.passed ? 'pass' : 'fail' }, !o.evaluated ? 'not evaluated' : o.passed ? 'pass' : 'FAIL'),
    el('td', { class: 'num' }, o.evaluated ? `${fmt(o.worstWindowEndS, 5)} s` : ''), el('td', { class: 'num' }, o.evaluated ? o.matrixIndex : '')));
  const series = [], lines = [];
  r.timeline.forEach((t, i) => {
    const colour = palette[i % palette.length];
    series.push({ label: `${t.metric} ${fmt(t.windowS)} s window`, x: t.tEndS, y: t.sarWPerKg, colour });
    for (const l of t.limitsWPerKg) lines.push({ label: `limit ${fmt(l, 4)} W/kg (${fmt(t.windowS)} s)`, y: l, colour });
  });
  return el('div', { class: 'card', id: 'seq-result' },
    el('div', { class: 'row' }, verdict,
      el('dl', { class: 'kv' },
        el('dt', {}, 'Binding'), el('dd', { id: 'seq-binding' }, b ? `${b.metric} ${fmt(b.windowS)} s: ${fmt(b.sarWPerKg, 5)} W/kg = ${fmt(b.ratio, 4)} of ${fmt(b.limitWPerKg, 4)} W/kg` : 'none'),
        el('dt', {}, 'Worst window'), el('dd', {}, b ? `ends at ${fmt(b.worstWindowEndS, 6)} s (matrix ${b.matrixIndex})` : '—'),
        el('dt', {}, 'Largest compliant RF scale'), el('dd', { id: 'seq-scale' }, r.maxScaleFactor === null ? 'unbounded (no SAR)' : `${fmt(r.maxScaleFactor, 5)} (SAR ∝ scale²)`),
        el('dt', {}, 'Shortest compliant TR'), el('dd', { id: 'seq-tr' }, r.shortestRepetitionS === null ? 'none: one repetition alone exceeds a limit; reduce the RF scale'
          : `${fmt(r.shortestRepetitionS, 6)} s (add ${fmt(r.minimumAddedDelayS, 4)} s per repetition)`),
        el('dt', {}, 'Sequence'), el('dd', {}, `${r.sequence}: period ${fmt(r.periodS, 6)} s, ${r.rfEvents} RF events (${r.distinctRfEvents} distinct), ${r.repetition}`),
        el('dt', {}, 'Signature'), el('dd', { id: 'seq-signature', class: r.signature === 'verified' ? 'pass' : 'fail' },
          r.signature === 'verified' ? 'verified ([SIGNATURE] hash matches the file)'
            : 'ABSENT: the file has no [SIGNATURE]; deleted or edited rows cannot be detected'),
        el('dt', {}, 'Matrices'), el('dd', {}, `${r.matrices.name}: ${r.matrices.count} × ${r.matrices.channels}² (W/kg per ${r.matrices.driveUnit}²)`),
        el('dt', {}, 'Calibration'), el('dd', {}, `${fmt(r.calibrationPerMicroTesla)} ${r.calibrationUnit} per channel, ${r.shim} shim`),
        el('dt', {}, 'Limits'), el('dd', {}, `${r.mode} mode, ${r.limitTable}`),
        el('dt', {}, 'Compute'), el('dd', {}, `${fmt(r.computeMs / 1000, 3)} s`))),
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
    const margin = el('input', { type: 'number', id: 'seq-margin', value: params.get('margin') || String(defaults.marginPercent), min: '0.1', max: '100', step: '0.5' });
    const cal = el('input', { type: 'number', id: 'seq-calibration', value: String(defaults.calibrationVPerMicroTesla), min: '0', step: 'any' });
    const mode = el('select', { id: 'seq-mode' }, el('option', { value: 'normal' }, 'Normal'), el('option', { value: 'first' }, 'First level'));
    const region = el('select', { id: 'seq-region' }, ['head', 'trunk', 'extremity'].map(x => el('option', { value: x }, x)));
    const repeat = el('select', { id: 'seq-repeat' }, el('option', { value: 'steady' }, 'repeated (steady state)'), el('option', { value: 'once' }, 'played once'));
    const file = el('input', { type: 'file', id: 'seq-file', accept: '.seq' });
    const run = el('button', { id: 'seq-run' }, 'Check');
    const out = el('div');
    run.addEventListener('click', async () => {
      const f = file.files && file.files[0];
      if (!f) { out.replaceChildren(errorBox('Choose a Pulseq .seq file first.')); return; }
      if (f.size > about.maxUploadBytes) { out.replaceChildren(errorBox(`${f.name}: ${f.size} bytes is over the upload limit of ${about.maxUploadBytes} bytes.`)); return; }
      const q = new URLSearchParams({ path: ds.value, matrices: mat.value, marginPercent: margin.value, calibration: cal.value, mode: mode.value, localRegion: region.value, repeat: repeat.value, name: f.name });
      run.disabled = true;
      out.replaceChildren(el('p', { class: 'muted busy', id: 'seq-busy' }, mat.value === 'vop' ? 'Checking (the first VOP use compresses and certifies the set: 10–30 s)…' : 'Checking…'));
      try { out.replaceChildren(resultCard(await postText(`/api/seq/check?${q}`, await f.text()))); }
      catch (e) { out.replaceChildren(errorBox(e)); }
      finally { run.disabled = false; }
    });
    root.append(el('div', { class: 'card' },
      el('p', { class: 'muted' }, `Pulseq 1.4/1.5 .seq up to ${Math.round(about.maxUploadBytes / 1024)} KiB. RF blocks without RF_SHIMS are played in CP mode `
        + '(magnitude 1, phase −360°·c/N per channel); the calibration converts 1 µT of Pulseq B1 to the dataset\'s drive unit on every channel. '
        + 'Local SAR is checked with the dataset\'s 10 g matrices; whole-body and head limits need region matrices and are not evaluated here.'),
      el('div', { class: 'row' },
        el('label', {}, 'Sequence ', file), el('label', {}, 'Dataset ', ds), el('label', {}, 'Matrices ', mat), el('label', {}, 'VOP margin % ', margin)),
      el('div', { class: 'row' },
        el('label', {}, 'Calibration (V/µT per channel) ', cal), el('label', {}, 'Mode ', mode), el('label', {}, 'Local limit ', region), el('label', {}, 'Repetition ', repeat), run)),
      out);
  },
};
