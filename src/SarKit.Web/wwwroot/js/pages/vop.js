// VOP sets page: open a VOP file of the data folder, or compress + certify the 10 g Q-matrices of a dataset;
// count, channels, margin, criterion, certificate and the overestimation histogram against the originals.
import { getJson, postJson, el, errorBox, fmt } from '../api.js';
import { histogram } from '../svgplot.js';

const pct = v => `${fmt(v * 100, 3)} %`;

// v: VopPageResult (snake_case, docs/json-schemas.md); v.set is the `sarkit vop report --json` object
export function vopCard(v) {
  const s = v.set;
  const c = s.certificate;
  const card = el('div', { class: 'card', id: 'vop-info' },
    el('h2', {}, v.name),
    // a surrogate-derived set is never shown as a passing true-SAR certificate (docs/vop-format.md "SAR basis")
    s.sar_basis ? el('p', { id: 'vop-certificate', class: 'fail' },
      v.certificate_valid ? '⚠ Surrogate-calibrated, not certified against true SAR' : '✘ No valid certificate (surrogate-calibrated set)',
      el('span', { class: 'muted' }, ` — ${v.certificate_note}`))
    : el('p', { id: 'vop-certificate', class: v.certificate_valid ? 'pass' : 'fail' },
      v.certificate_valid ? '✔ Certificate valid' : '✘ No valid certificate', el('span', { class: 'muted' }, ` — ${v.certificate_note}`)),
    s.sar_basis ? el('p', { id: 'vop-sar-basis', class: 'fail' }, `SAR basis: ${s.sar_basis}`) : null,
    el('dl', { class: 'kv' },
      el('dt', {}, 'VOPs'), el('dd', { id: 'vop-count' }, `${s.count} (from ${s.source_count} matrices)`),
      el('dt', {}, 'Channels'), el('dd', {}, s.channels),
      el('dt', {}, 'Margin'), el('dd', {}, `${pct(s.margin_epsilon)} of SAR_wc (${s.margin_kind})`),
      el('dt', {}, 'Criterion'), el('dd', {}, s.criterion),
      el('dt', {}, 'SAR_wc'), el('dd', {}, `${fmt(s.sar_wc, 5)} W/kg per ${v.drive_unit}²`),
      el('dt', {}, 'Normalisation'), el('dd', {}, s.normalisation),
      el('dt', {}, 'Algorithm'), el('dd', {}, s.algorithm),
      el('dt', {}, 'Source SHA-256'), el('dd', { class: 'mono' }, s.source_sha256),
      v.source_matches_dataset === null || v.source_matches_dataset === undefined ? null : [el('dt', {}, 'Source = dataset Q'),
        el('dd', { class: v.source_matches_dataset ? 'pass' : 'fail' }, v.source_matches_dataset ? 'yes (same SHA-256)' : 'no: compressed from other matrices')]));
  if (c) {
    card.append(el('h2', {}, 'Certificate'), el('dl', { class: 'kv' },
      el('dt', {}, 'Result'), el('dd', { class: c.passed && !s.sar_basis ? 'pass' : 'fail' },
        c.passed ? (s.sar_basis ? 'passed for the surrogate\'s predicted Q-matrices only (not against true SAR)' : 'passed') : 'FAILED'),
      el('dt', {}, 'Criterion'), el('dd', {}, c.criterion),
      el('dt', {}, 'Matrices checked'), el('dd', {}, `${c.matrices_checked}, failed ${c.matrices_failed}`),
      el('dt', {}, 'Largest violation'), el('dd', {}, `${fmt(c.largest_violation, 4)} (tolerance ${fmt(c.tolerance, 3)})`),
      el('dt', {}, 'Random drives'), el('dd', {}, `${c.random_drives}, max. relative underestimation ${fmt(c.random_max_relative_underestimation, 3)}`),
      el('dt', {}, 'VOP SHA-256'), el('dd', { class: 'mono' }, v.vop_sha256),
      el('dt', {}, 'Verifier'), el('dd', {}, c.verifier),
      el('dt', {}, 'Created (UTC)'), el('dd', {}, String(c.created_utc).replace('T', ' ').slice(0, 19))));
  }
  if (s.verification) {
    card.append(el('p', { class: 'muted' }, 'Proofs: ' + Object.entries(s.verification.proofs).map(([k, n]) => `${k} ${n}`).join(', ')
      + `; ${fmt(s.elapsed_s, 3)} s for compression, verification and histogram.`));
  }
  const o = s.overestimation;
  if (o) {
    card.append(el('h2', {}, 'Overestimation against the originals'),
      el('p', {}, `${o.drives} random unit drives against ${o.original_matrices} ${v.overestimation_against}: relative overestimation (SAR_VOP − SAR)/SAR per drive: mean ${fmt(o.mean_relative, 3)}, `
        + `95th percentile ${fmt(o.p95_relative, 3)}, max ${fmt(o.max_relative, 3)}; `,
        el('span', { class: o.underestimating_drives ? 'fail' : 'pass', id: 'vop-underestimation' },
          o.underestimating_drives ? `${o.underestimating_drives} drives underestimated` : 'no drive underestimated')));
    if (o.relative_histogram) card.append(el('div', { id: 'vop-histogram' },
      histogram(o.relative_histogram.edges, o.relative_histogram.counts, { xLabel: 'relative overestimation (SAR_VOP − SAR) / SAR' })));
  } else card.append(el('p', { class: 'muted' }, 'No overestimation histogram: choose a dataset whose 10 g Q-matrices are the originals.'));
  return card;
}

export default {
  id: 'vop',
  title: 'VOP sets',
  async render(root, params, { go }) {
    root.append(el('h1', {}, 'VOP sets'));
    const list = await getJson('/api/vop/files');
    const files = list.files.map(f => f.path);
    const detail = el('div');
    let timer = null, alive = true;

    // compress a dataset's averaged Q-matrices
    const dsSel = el('select', { id: 'vop-dataset' }, files.map(p => el('option', { value: p }, p)));
    if (params.get('path') && files.includes(params.get('path'))) dsSel.value = params.get('path');
    const margin = el('input', { type: 'number', id: 'vop-margin', value: params.get('margin') || '10', min: '0.1', max: '100', step: '0.5' });
    const status = el('span', { id: 'vop-status', class: 'muted' });
    const compressBtn = el('button', { id: 'vop-compress' }, 'Compress 10 g Q-matrices');
    async function poll() {
      timer = null;
      const body = { path: dsSel.value, marginPercent: Number(margin.value) };
      try {
        const r = await postJson('/api/vop/compress', body);
        if (!alive) return;
        if (r.state === 'done') {
          status.textContent = `done in ${fmt(r.elapsed_s, 3)} s`;
          compressBtn.disabled = false;
          detail.replaceChildren(vopCard(r.result),
            el('p', {}, el('button', { class: 'secondary', id: 'vop-to-seq', onclick: () => go('sequence', { path: body.path, matrices: 'vop', margin: margin.value }) }, 'Check a sequence with these VOPs')));
        } else {
          status.textContent = `${r.stage || 'running'}… ${fmt(r.elapsed_s, 2)} s`;
          timer = setTimeout(poll, 1000);
        }
      } catch (e) { compressBtn.disabled = false; status.textContent = ''; detail.replaceChildren(errorBox(e)); }
    }
    compressBtn.addEventListener('click', () => {
      compressBtn.disabled = true;
      detail.replaceChildren(el('p', { class: 'muted busy' }, 'Compressing and certifying (typically 10–30 s)…'));
      poll();
    });

    // open a VOP file
    const fileSel = el('select', { id: 'vop-file' }, files.map(p => el('option', { value: p }, p)));
    const qSel = el('select', { id: 'vop-q' }, el('option', { value: '' }, '(none)'), files.map(p => el('option', { value: p }, p)));
    const openBtn = el('button', { id: 'vop-open' }, 'Open');
    openBtn.addEventListener('click', async () => {
      detail.replaceChildren(el('p', { class: 'muted busy' }, 'Reading…'));
      const q = qSel.value ? `&q=${encodeURIComponent(qSel.value)}` : '';
      try { detail.replaceChildren(vopCard(await getJson(`/api/vop/info?path=${encodeURIComponent(fileSel.value)}${q}`))); }
      catch (e) { detail.replaceChildren(errorBox(e)); }
    });

    root.append(
      el('div', { class: 'card' }, el('h2', {}, 'Compress a dataset'),
        el('p', { class: 'muted' }, 'VOP compression (Orzada iterative, convex-combination criterion) of the dataset\'s 10 g averaged Q-matrices, '
          + 'certified by the independent verifier; cached per dataset and margin.'),
        el('label', {}, 'Dataset ', dsSel), ' ', el('label', {}, 'margin (% of SAR_wc) ', margin), ' ', compressBtn, ' ', status),
      el('div', { class: 'card' }, el('h2', {}, 'Open a VOP file'),
        el('p', { class: 'muted' }, `VOP files (.h5, .mat, .npz) in ${list.data_folder}; optional dataset whose 10 g Q-matrices are the originals (histogram).`),
        el('label', {}, 'VOP file ', fileSel), ' ', el('label', {}, 'originals ', qSel), ' ', openBtn),
      detail);
    if (params.get('compress') === '1') compressBtn.click();
    return () => { alive = false; if (timer) clearTimeout(timer); };
  },
};
