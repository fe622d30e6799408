// Datasets page: the files of the data folder and, for the selected one, grid, tissue and channels.
import { getJson, el, errorBox, fmt } from '../api.js';

const mm = m => fmt(m * 1e3, 4);

// the grid result of sarkit info --json (snake_case): n{x,y,z}, spacing_min_m / spacing_max_m, extent_m
function axisRow(g, name) {
  const lo = g.spacing_min_m[name], hi = g.spacing_max_m[name];
  const width = lo === hi ? `${mm(lo)} mm` : `${mm(lo)}–${mm(hi)} mm`;
  return el('tr', {}, el('td', {}, name), el('td', { class: 'num' }, g['n' + name]), el('td', {}, width),
    el('td', {}, `${mm(g.extent_m[name][0])} … ${mm(g.extent_m[name][1])} mm`));
}

function infoCard(info, go) {
  const g = info.grid;
  const card = el('div', { class: 'card', id: 'dataset-info' },
    el('h2', {}, info.input_file),
    el('dl', { class: 'kv' },
      el('dt', {}, 'Layout'), el('dd', {}, info.layout),
      el('dt', {}, 'Grid'), el('dd', {}, `${g.nx} × ${g.ny} × ${g.nz} voxels (${g.uniform ? 'uniform' : 'graded'})`),
      el('dt', {}, 'Frequency'), el('dd', {}, info.frequency_hz > 0 ? `${fmt(info.frequency_hz / 1e6, 6)} MHz` : 'unknown'),
      el('dt', {}, 'Tissue'), el('dd', {}, `${info.tissue_voxels} voxels, ${info.tissue_mass_kg === null ? 'mass unknown' : fmt(info.tissue_mass_kg, 4) + ' kg'}`
        + (info.has_labels ? ', labelled' : '') + (info.has_eps_r ? ', ε_r' : '')),
      el('dt', {}, 'Masks'), el('dd', {}, info.masks.length ? info.masks.join(', ') : 'none'),
      el('dt', {}, 'Fields'), el('dd', {}, info.fields.map(f => f === 'B1plus' ? 'B1+' : f).join(', ') + ` (${info.field_type})`),
      el('dt', {}, 'Channels'), el('dd', {}, `${info.channels}: ${info.channel_names.join(', ')}`),
      el('dt', {}, 'Normalisation'), el('dd', {}, `${info.normalisation} (drive unit ${info.drive_unit})`)),
    el('h2', {}, 'Axes'),
    el('table', {}, el('tr', {}, el('th', {}, 'axis'), el('th', { class: 'num' }, 'voxels'), el('th', {}, 'voxel size'), el('th', {}, 'extent')),
      axisRow(g, 'x'), axisRow(g, 'y'), axisRow(g, 'z')),
    el('p', {}, el('button', { id: 'open-viewer', onclick: () => go('viewer', { path: info.input_file }) }, 'Open in SAR viewer')));
  const prov = Object.entries(info.provenance || {});
  if (prov.length) {
    card.append(el('details', {}, el('summary', {}, `Provenance (${prov.length})`),
      el('table', {}, prov.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, v.length > 400 ? v.slice(0, 400) + '…' : v))))));
  }
  return card;
}

export default {
  id: 'datasets',
  title: 'Datasets',
  async render(root, params, { go }) {
    root.append(el('h1', {}, 'Datasets'));
    const list = await getJson('/api/datasets');
    root.append(el('p', { class: 'muted' }, `Files in the data folder ${list.data_folder} (.h5, .mat, .npz).`));
    const detail = el('div');
    const rows = list.datasets.map(d => {
      const tr = el('tr', { class: 'clickable', 'data-path': d.path },
        el('td', {}, d.path), el('td', { class: 'num' }, `${fmt(d.size_bytes / 1048576, 3)} MB`), el('td', {}, d.modified_utc.replace('T', ' ').slice(0, 19)),
        el('td', { class: d.error ? 'error-text' : 'muted' }, d.error ? `unreadable: ${d.error}` : 'ok'));
      tr.addEventListener('click', () => show(d.path, tr));
      return tr;
    });
    async function show(path, tr) {
      for (const r of rows) r.classList.toggle('selected', r === tr);
      detail.replaceChildren(el('p', { class: 'muted' }, 'Reading…'));
      try { detail.replaceChildren(infoCard(await getJson(`/api/datasets/info?path=${encodeURIComponent(path)}`), go)); }
      catch (e) { detail.replaceChildren(errorBox(e)); }
    }
    if (!rows.length) root.append(el('p', {}, 'No dataset files in the data folder.'));
    else root.append(el('div', { class: 'card' }, el('table', { id: 'dataset-list' },
      el('tr', {}, el('th', {}, 'file'), el('th', { class: 'num' }, 'size'), el('th', {}, 'modified (UTC)'), el('th', {}, 'status')), rows)));
    root.append(detail);
    const firstOk = list.datasets.find(d => !d.error) || list.datasets[0];
    const want = params.get('path') || (firstOk && firstOk.path);
    const tr = rows.find(r => r.dataset.path === want);
    if (tr) show(want, tr);
  },
};
