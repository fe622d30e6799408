// NEMA MS 8-2016 page: paste, load or edit a measurement file (JSON), evaluate it on the server, show the result
// and the Section 4.1 report; optionally append it to the records database. The API is snake_case (the CLI's --json
// objects, docs/web.md).
import { getJson, postJson, el, errorBox, fmt } from '../api.js';

const METHODS = {
  calorimetry: { title: 'Calorimetry (Section 3)', example: '/examples/calorimetry_example.json', url: '/api/nema/calorimetry' },
  'pulse-energy': { title: 'Pulse energy (Section 2.5)', example: '/examples/pulse_energy_example.json', url: '/api/nema/pulse-energy' },
};

// Minimal Markdown (headings, pipe tables, `code`, paragraphs) to DOM nodes, no HTML injection.
function inline(text) {
  const parts = text.split(/(`[^`]*`)/);
  return parts.map(p => p.startsWith('`') && p.endsWith('`') && p.length > 1 ? el('code', {}, p.slice(1, -1)) : p);
}
function cells(line) {
  const out = []; let cur = '';
  const s = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && s[i + 1] === '|') { cur += '|'; i++; }
    else if (s[i] === '|') { out.push(cur.trim()); cur = ''; }
    else cur += s[i];
  }
  out.push(cur.trim());
  return out;
}
export function markdown(md) {
  const root = el('div', { class: 'report' });
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('## ')) root.append(el('h2', {}, inline(line.slice(3))));
    else if (line.startsWith('# ')) root.append(el('h1', {}, inline(line.slice(2))));
    else if (line.trim().startsWith('|')) {
      const block = [];
      while (i < lines.length && lines[i].trim().startsWith('|')) block.push(lines[i++]);
      i--;
      const [head, , ...body] = block;
      root.append(el('table', {}, el('tr', {}, cells(head).map(c => el('th', {}, inline(c)))),
        body.map(r => el('tr', {}, cells(r).map(c => el('td', {}, inline(c)))))));
    } else if (line.trim()) root.append(el('p', {}, inline(line)));
  }
  return root;
}

function calorimetryResult(res) {
  const r = res.result;
  const check = r.rise_check;
  return el('div', { class: 'card', id: 'nema-result' },
    el('div', { class: 'stat' }, el('div', { class: 'label' }, 'Measured whole-body SAR (eq. 21)'),
      el('div', { class: 'big', id: 'nema-sar' }, `${fmt(r.sar_w_per_kg, 5)} W/kg`)),
    el('dl', { class: 'kv' },
      el('dt', {}, 'Heat capacity'), el('dd', {}, `${fmt(r.heat_capacity_j_per_k, 6)} J/K (shell ${r.shell_included ? 'included' : 'not included'})`),
      el('dt', {}, 'Temperature rise'), el('dd', {}, `${fmt(r.temperature_rise_k, 5)} K${r.cooling_corrected ? ' (cooling-corrected)' : ''}`),
      el('dt', {}, 'Absorbed energy (19)'), el('dd', {}, `${fmt(r.energy_j, 6)} J`),
      el('dt', {}, 'Scan time τ'), el('dd', {}, `${fmt(r.scan_time_s, 6)} s`),
      el('dt', {}, 'Average power (20)'), el('dd', {}, `${fmt(r.power_w, 6)} W`),
      el('dt', {}, '3.2(c) ΔT ≥ 20 × sensor error'), el('dd', {}, check
        ? el('span', { class: check.passed ? 'pass' : 'fail' }, `${check.passed ? 'PASS' : 'FAIL'} (ratio ${fmt(check.ratio, 3)})`) : 'not checked'),
      el('dt', {}, '4.1 predicted ≥ measured − uncertainty'), el('dd', {}, r.predicted_covers_measured === null ? 'not determined'
        : el('span', { class: r.predicted_covers_measured ? 'pass' : 'fail' }, r.predicted_covers_measured ? 'Y' : 'N'))),
    res.record ? el('p', { class: 'pass' }, `Recorded as id ${res.record.id} (sha256 ${res.record.content_sha256.slice(0, 16)}…).`) : null,
    el('details', { open: true }, el('summary', {}, 'Report (NEMA MS 8-2016 Section 4.1)'), markdown(res.report_markdown)));
}

function pulseEnergyResult(res) {
  const r = res.result;
  return el('div', { class: 'card', id: 'nema-result' },
    el('div', { class: 'stat' }, el('div', { class: 'label' }, 'SAR (eq. 13)'), el('div', { class: 'big', id: 'nema-sar' }, `${fmt(r.sar_w_per_kg, 5)} W/kg`)),
    el('dl', { class: 'kv' },
      el('dt', {}, 'Coil loss unloaded / loaded (7, 8)'), el('dd', {}, `${fmt(r.coil_loss_unloaded_w, 5)} W / ${fmt(r.coil_loss_loaded_w, 5)} W`),
      el('dt', {}, 'Phantom peak power (9)'), el('dd', {}, `${fmt(r.phantom_peak_power_w, 5)} W`),
      el('dt', {}, 'Energy per TR (11)'), el('dd', {}, r.energy_per_tr_j === null ? 'n/a' : `${fmt(r.energy_per_tr_j, 5)} J`),
      el('dt', {}, 'Average power (12)'), el('dd', {}, `${fmt(r.average_power_w, 5)} W`),
      el('dt', {}, 'Mass'), el('dd', {}, `${fmt(r.mass_kg, 5)} kg`)),
    res.record ? el('p', { class: 'pass' }, `Recorded as id ${res.record.id} (sha256 ${res.record.content_sha256.slice(0, 16)}…).`) : null,
    el('details', { open: true }, el('summary', {}, 'Report (NEMA MS 8-2016 Section 4.1)'), markdown(res.report_markdown)));
}

export default {
  id: 'nema',
  title: 'NEMA',
  async render(root, params) {
    const about = await getJson('/api/about');
    root.append(el('h1', {}, 'NEMA MS 8-2016 whole-body SAR'));
    const method = el('select', { id: 'nema-method' }, Object.entries(METHODS).map(([k, m]) => el('option', { value: k }, m.title)));
    method.value = METHODS[params.get('method')] ? params.get('method') : 'calorimetry';
    const text = el('textarea', { id: 'nema-input', spellcheck: 'false' });
    const file = el('input', { type: 'file', accept: '.json,application/json' });
    const record = el('input', { type: 'checkbox', id: 'nema-record', disabled: !about.records_configured });
    const out = el('div');
    const run = el('button', { id: 'nema-evaluate' }, 'Evaluate');
    async function loadExample() {
      const r = await fetch(METHODS[method.value].example);
      text.value = await r.text();
    }
    file.addEventListener('change', async () => { if (file.files[0]) text.value = await file.files[0].text(); });
    method.addEventListener('change', () => { out.replaceChildren(); loadExample(); });
    run.addEventListener('click', async () => {
      run.disabled = true; out.replaceChildren(el('p', { class: 'muted' }, 'Evaluating…'));
      try {
        const m = METHODS[method.value];
        const url = m.url + (record.checked ? '?record=true' : '');
        const res = await postJson(url, text.value);
        out.replaceChildren(method.value === 'calorimetry' ? calorimetryResult(res) : pulseEnergyResult(res));
      } catch (e) { out.replaceChildren(errorBox(e)); }
      finally { run.disabled = false; }
    });
    root.append(el('div', { class: 'row' },
      el('div', { class: 'card', style: null },
        el('p', {}, 'Method ', method, ' ', el('button', { class: 'secondary', onclick: loadExample }, 'Load example'), ' ', file),
        el('p', { class: 'muted' }, 'Measurement file (JSON; every quantity with its unit, see docs/nema-ms8.md):'),
        text,
        el('p', {}, run, ' ', el('label', {}, record, ` append to records${about.records_configured ? '' : ' (no records database configured)'}`)))),
      out);
    await loadExample();
  },
};
