// E-field probe page: calibration file, liquid file and scan CSV (prefilled with the repository's examples), evaluated
// on the server (POST /api/probe/scan, the same library calls as `sarkit scan process`): psSAR 1 g / 10 g with U (k = 2),
// area peak, both extrapolations of the peak column, limits with margins, and the report with its two pictures.
import { getJson, postJson, el, errorBox, fmt } from '../api.js';
import { markdown } from './nema.js';

const EXAMPLES = { calibration: '/examples/probe/calibration.json', liquid: '/examples/probe/liquid.json', scan: '/examples/probe/scan_example.csv' };

// The report's Markdown with its picture lines (![alt](file)) replaced by <img> elements from data: URIs.
function report(md, pictures) {
  const root = el('div', { class: 'report', id: 'probe-report' });
  let chunk = [];
  const flush = () => { if (chunk.length) { root.append(...markdown(chunk.join('\n')).childNodes); chunk = []; } };
  for (const line of md.split('\n')) {
    const m = /^!\[([^\]]*)\]\(([^)]*)\)$/.exec(line.trim());
    const caption = /^\*(.*)\*$/.exec(line.trim());
    if (m) { flush(); root.append(pictures[m[2]] ? el('img', { src: pictures[m[2]], alt: m[1], class: 'probe-picture' }) : el('p', { class: 'muted' }, `[picture ${m[2]} not available]`)); }
    else if (caption) { flush(); root.append(el('p', { class: 'muted' }, el('em', {}, caption[1]))); }
    else if (line.startsWith('- ')) { flush(); root.append(el('p', {}, '• ' + line.slice(2))); }
    else chunk.push(line);
  }
  flush();
  return root;
}

function download(name, type, text) {
  const a = el('a', { download: name, class: 'secondary' }, name);
  a.href = URL.createObjectURL(new Blob([text], { type }));
  return a;
}

function result(res) {
  const r = res.result;
  const pc = r.peak_column;
  const cube = g => r.cubes.find(c => Math.abs(c.mass_g - g) < 1e-9);
  const c1 = cube(1), c10 = cube(10);
  const exceeded = r.limits.filter(l => !l.within_limit).length;
  const allOk = exceeded === 0;
  const verdict = allOk ? `WITHIN ALL ${r.limits.length} LIMITS` : `EXCEEDS ${exceeded} OF ${r.limits.length} LIMITS`;
  return el('div', { class: 'card', id: 'probe-result' },
    el('div', { class: 'row' },
      el('div', { class: 'stat' }, el('div', { class: 'label' }, 'psSAR 1 g'),
        el('div', { class: 'big', id: 'probe-pssar-1g' }, `${fmt(c1.ps_sar_w_per_kg, 4)} W/kg`),
        el('div', { class: 'muted' }, `U = ±${fmt(c1.expanded_uncertainty_w_per_kg, 3)} W/kg (k = ${fmt(r.uncertainty.coverage_factor, 3)}, ${fmt(r.uncertainty.one_gram.expanded_percent, 3)} %)`)),
      el('div', { class: 'stat' }, el('div', { class: 'label' }, 'psSAR 10 g'),
        el('div', { class: 'big', id: 'probe-pssar-10g' }, `${fmt(c10.ps_sar_w_per_kg, 4)} W/kg`),
        el('div', { class: 'muted' }, `U = ±${fmt(c10.expanded_uncertainty_w_per_kg, 3)} W/kg (${fmt(r.uncertainty.ten_gram.expanded_percent, 3)} %)`)),
      el('div', { class: 'stat' }, el('div', { class: 'label' }, 'Limits'),
        el('div', { class: `big ${allOk ? 'pass' : 'fail'}`, id: 'probe-verdict' }, verdict),
        el('div', { class: 'muted' }, 'psSAR against each limit of the table below'))),
    el('dl', { class: 'kv' },
      el('dt', {}, 'Probe / date / path'), el('dd', {}, `${r.probe_serial}, ${r.date}, ${r.sar_path === 'cf' ? 'conversion factor (Pd_tot·CF/SF)' : 'ConvF (σE²/ρ)'}, ${r.extrapolation} extrapolation`),
      el('dt', {}, 'Area-scan peak'), el('dd', {}, `${fmt(r.area_peak.sar_w_per_kg, 4)} W/kg at x = ${fmt(r.area_peak.x_mm, 4)} mm, y = ${fmt(r.area_peak.y_mm, 4)} mm${r.area_peak.on_edge ? ' (on the scan edge)' : ''}`),
      el('dt', {}, 'Peak column'), el('dd', {}, `x = ${fmt(pc.x_mm, 4)} mm, y = ${fmt(pc.y_mm, 4)} mm`),
      el('dt', {}, 'Surface SAR, exponential'), el('dd', { id: 'probe-exp' }, pc.exponential
        ? `${fmt(pc.exponential.s0_w_per_kg, 5)} ± ${fmt(pc.exponential.s0_std_uncertainty, 3)} W/kg, a = ${fmt(pc.exponential.decay_length_mm, 4)} ± ${fmt(pc.exponential.decay_length_std_uncertainty_mm, 3)} mm` : 'n/a'),
      el('dt', {}, 'Surface SAR, polynomial'), el('dd', { id: 'probe-poly' }, pc.polynomial
        ? `${fmt(pc.polynomial.s0_w_per_kg, 5)} ± ${fmt(pc.polynomial.s0_std_uncertainty, 3)} W/kg (degree ${pc.polynomial.degree})` : 'n/a')),
    el('h2', {}, 'Limits'),
    el('table', { id: 'probe-limits' },
      el('tr', {}, ['Regime', 'Applies', 'Mass', 'Limit W/kg', 'psSAR W/kg', 'Margin W/kg', 'U W/kg', 'Result'].map(h => el('th', {}, h))),
      r.limits.map(l => el('tr', {},
        el('td', {}, l.regime), el('td', {}, l.applies), el('td', { class: 'num' }, `${fmt(l.mass_g)} g`), el('td', { class: 'num' }, fmt(l.limit_w_per_kg)),
        el('td', { class: 'num' }, fmt(l.peak_sar_w_per_kg, 4)), el('td', { class: 'num' }, fmt(l.margin_w_per_kg, 4)), el('td', { class: 'num' }, fmt(l.expanded_uncertainty_w_per_kg, 3)),
        el('td', {}, el('span', { class: l.within_limit ? 'pass' : 'fail' }, l.within_limit ? (l.margin_covers_uncertainty ? 'within' : 'within (margin < U)') : 'EXCEEDED'))))),
    r.notes.length ? el('ul', {}, r.notes.map(n => el('li', {}, n))) : null,
    res.record ? el('p', { class: 'pass' }, `Recorded as id ${res.record.id} (sha256 ${res.record.content_sha256.slice(0, 16)}…).`) : null,
    el('p', {}, 'Download: ', download('probe_report.md', 'text/markdown', res.report_markdown), ' ', download('probe_report.html', 'text/html', res.report_html),
      el('span', { class: 'muted' }, ' (pictures are shown below, not inside the downloaded files)')),
    el('details', { open: true }, el('summary', {}, 'Report'),
      report(res.report_markdown, { 'scan_area.png': res.area_png_data_uri, 'scan_decay.png': res.decay_png_data_uri })));
}

export default {
  id: 'probe',
  title: 'E-field probe',
  async render(root) {
    const about = await getJson('/api/about');
    root.append(el('h1', {}, 'E-field probe scan: psSAR 1 g / 10 g'));
    const area = id => el('textarea', { id, spellcheck: 'false', class: 'probe-input' });
    const cal = area('probe-calibration'), liq = area('probe-liquid'), scan = area('probe-scan');
    const date = el('input', { type: 'text', id: 'probe-date', placeholder: 'YYYY-MM-DD (default: # date: of the scan)', size: 34 });
    const path = el('select', { id: 'probe-path' }, el('option', { value: '' }, 'default (CF when present)'), el('option', { value: 'cf' }, 'cf: Pd_tot·CF/SF'), el('option', { value: 'convf' }, 'convf: σE²/ρ'));
    const extra = el('select', { id: 'probe-extrapolation' }, el('option', { value: 'exponential' }, 'exponential'), el('option', { value: 'polynomial' }, 'polynomial'));
    const record = el('input', { type: 'checkbox', id: 'probe-record', disabled: !about.records_configured });
    const run = el('button', { id: 'probe-evaluate' }, 'Evaluate');
    const out = el('div');
    async function loadExamples() {
      const [c, l, s] = await Promise.all([EXAMPLES.calibration, EXAMPLES.liquid, EXAMPLES.scan].map(u => fetch(u).then(r => r.text())));
      cal.value = c; liq.value = l; scan.value = s;
    }
    run.addEventListener('click', async () => {
      run.disabled = true; out.replaceChildren(el('p', { class: 'muted' }, 'Evaluating…'));
      try {
        const body = { calibration: cal.value, liquid: liq.value, scan_csv: scan.value, extrapolation: extra.value };
        if (date.value.trim()) body.date = date.value.trim();
        if (path.value) body.path = path.value;
        const res = await postJson('/api/probe/scan' + (record.checked ? '?record=true' : ''), body);
        out.replaceChildren(result(res));
      } catch (e) { out.replaceChildren(errorBox(e)); }
      finally { run.disabled = false; }
    });
    const labelled = (text, ta) => el('div', {}, el('p', { class: 'muted' }, text), ta);
    root.append(el('div', { class: 'card' },
      el('p', {}, el('button', { class: 'secondary', onclick: loadExamples }, 'Load examples'),
        el('span', { class: 'muted' }, ' file formats: docs/probe.md')),
      el('div', { class: 'probe-inputs' },
        labelled('Calibration file (JSON, sarkit-probe-calibration)', cal),
        labelled('Liquid properties (JSON, liquid-properties)', liq),
        labelled('Scan (CSV: scan,x_mm,y_mm,z_mm,v1_mV,v2_mV,v3_mV)', scan)),
      el('p', {}, 'Date ', date, ' SAR path ', path, ' extrapolation ', extra),
      el('p', {}, run, ' ', el('label', {}, record, ` append to records${about.records_configured ? '' : ' (no records database configured)'}`))),
      out);
    await loadExamples();
  },
};
