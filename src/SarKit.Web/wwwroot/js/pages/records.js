// Records page: the append-only measurement records database (hash verified per record).
import { getJson, el, errorBox, fmt } from '../api.js';

export default {
  id: 'records',
  title: 'Records',
  async render(root) {
    root.append(el('h1', {}, 'Measurement records'));
    const r = await getJson('/api/records');
    if (!r.configured) {
      root.append(el('p', {}, 'No records database is configured. Start the app with ', el('code', {}, 'sarkit serve --records DIR'),
        ' (or set SARKIT_RECORDS) to store NEMA evaluations.'));
      return;
    }
    root.append(el('p', { class: 'muted' }, `Database ${r.database}: ${r.exists ? r.count + ' record(s)' : 'not created yet (the first recorded evaluation creates it)'}.`));
    if (!r.count) return;
    const detail = el('div');
    const table = el('table', { id: 'records-table' },
      el('tr', {}, ['id', 'created (UTC)', 'method', 'SAR W/kg', 'SarKit', 'sha256', 'hash'].map(h => el('th', {}, h))),
      r.records.map(x => {
        const tr = el('tr', { class: 'clickable' }, el('td', { class: 'num' }, x.id), el('td', {}, x.created_utc.replace('T', ' ').slice(0, 19)),
          el('td', {}, x.method), el('td', { class: 'num' }, fmt(x.sar_w_per_kg, 5)), el('td', {}, x.sarkit_version),
          el('td', {}, el('code', {}, x.content_sha256.slice(0, 16))), el('td', { class: x.hash_verifies ? 'pass' : 'fail' }, x.hash_verifies ? 'ok' : 'MISMATCH'));
        tr.addEventListener('click', async () => {
          try {
            const full = await getJson(`/api/records/${x.id}`);
            const pretty = s => { try { return JSON.stringify(JSON.parse(s), null, 2); } catch { return s; } };
            detail.replaceChildren(el('div', { class: 'card' }, el('h2', {}, `Record ${full.id}`),
              el('h2', {}, 'Input'), el('pre', { class: 'json' }, pretty(full.input_json)),
              el('h2', {}, 'Result'), el('pre', { class: 'json' }, pretty(full.result_json))));
          } catch (e) { detail.replaceChildren(errorBox(e)); }
        });
        return tr;
      }));
    root.append(el('div', { class: 'card' }, table), detail);
  },
};
