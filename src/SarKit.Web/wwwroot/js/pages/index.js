// The pages of the app, in menu order. Adding a page: write pages/<name>.js exporting
// `default { id, title, render(root, params, nav) }` (render may return a cleanup function) and add it here.
import datasets from './datasets.js';
import viewer from './viewer.js';
import nema from './nema.js';
import probe from './probe.js';
import records from './records.js';
import vop from './vop.js';
import sequence from './sequence.js';
import shim from './shim.js';
import spokes from './spokes.js';

export const pages = [datasets, viewer, vop, sequence, shim, spokes, nema, probe, records];
