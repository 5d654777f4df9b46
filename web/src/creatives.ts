// The creatives gallery waits for creative actions in the API; until then, say so plainly.
import { h } from './dom';
import { t } from './i18n';
import { card } from './ui';

export function renderCreatives() {
  const el = h(
    'div',
    { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', null, t('cr.title'))),
    card(h('span', null, t('cr.title'), ' ', h('span', { class: 'badge status-paused' }, t('cr.unavailable'))), [
      h('div', { class: 'empty-state', 'data-test': 'creatives-unavailable' }, h('p', null, t('cr.text')), h('p', { class: 'muted' }, t('cr.cli')), h('pre', { class: 'code' }, 'chengfang creative make --product ID --out DIR')),
    ]),
  );
  return { el, destroy() {} };
}
