// SarKit front end: a hash router over the pages listed in pages/index.js (#/<page id>?key=value…).
import { pages } from './pages/index.js';
import { getJson, el, errorBox } from './api.js';

const nav = document.getElementById('nav');
const root = document.getElementById('page');
let cleanup = null;

function parseHash() {
  const h = location.hash.replace(/^#\/?/, '');
  const [id, query] = h.split('?');
  return { id: id || pages[0].id, params: new URLSearchParams(query || '') };
}

export function go(id, params = {}) {
  const q = new URLSearchParams(params).toString();
  location.hash = `#/${id}${q ? '?' + q : ''}`;
}

async function route() {
  const { id, params } = parseHash();
  const page = pages.find(p => p.id === id) || pages[0];
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.dataset.page === page.id);
  if (typeof cleanup === 'function') { try { cleanup(); } catch { /* ignore */ } }
  cleanup = null;
  root.replaceChildren();
  document.title = `SarKit · ${page.title}`;
  try { cleanup = await page.render(root, params, { go }); }
  catch (e) { root.append(errorBox(e)); }
}

for (const p of pages) nav.append(el('a', { href: `#/${p.id}`, 'data-page': p.id }, p.title));
window.addEventListener('hashchange', route);
getJson('/api/about').then(a => {
  document.getElementById('about').textContent = `SarKit ${a.version} · data: ${a.data_folder}`;
}).catch(() => {});
route();
