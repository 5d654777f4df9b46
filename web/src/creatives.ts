// The creatives gallery: make video creatives for one of the merchant's products with the
// creative factory (generate_creatives) and watch them (list_creatives). Generated videos are not
// served in the market yet (no CTR or wear-out until the creative bandit lands); the page says so.
import { call } from './api';
import { h, replace } from './dom';
import { t } from './i18n';
import { card, errorBox, okBox, spinner } from './ui';

interface Product {
  id: number;
  name: string;
  category: string;
  price: number;
}
interface CreativeJson {
  product?: number;
  url?: string;
  thumbnail_url?: string;
  template: string;
  hook: string;
  hook_text: string;
  lang: string;
  voice: string;
  duration_s: number;
  in_market: boolean;
}

export function renderCreatives() {
  const results = h('div', { class: 'cr-products', 'data-test': 'cr-products' });
  const gallery = h('div', { class: 'cr-gallery', 'data-test': 'cr-gallery' }, spinner());
  const status = h('div', { 'data-test': 'cr-status' });
  const query = h('input', { type: 'search', placeholder: t('cr.search'), 'data-test': 'cr-search' }) as HTMLInputElement;
  const lang = h('select', { 'data-test': 'cr-lang' }, h('option', { value: 'en' }, 'English'), h('option', { value: 'zh' }, '中文')) as HTMLSelectElement;
  const variants = h('select', { 'data-test': 'cr-variants' }, ...[1, 2, 3].map((n) => h('option', { value: String(n) }, String(n)))) as HTMLSelectElement;
  let selected: Product | null = null;
  let busy = false;
  const generate = h('button', { class: 'btn btn-primary', disabled: true, 'data-test': 'cr-generate', onclick: () => void make() }, t('cr.generate')) as HTMLButtonElement;

  async function search() {
    try {
      const r = await call<{ products: Product[] }>('search_products', { query: query.value.trim(), limit: 8 });
      replace(
        results,
        ...r.products.map((p) =>
          h(
            'button',
            {
              class: `cr-product ${selected?.id === p.id ? 'selected' : ''}`,
              'data-test': 'cr-product',
              'data-id': p.id,
              onclick: () => {
                selected = p;
                generate.disabled = busy;
                void search();
              },
            },
            h('strong', null, p.name),
            h('span', { class: 'muted' }, ` #${p.id} · ${p.category} · $${p.price.toFixed(2)}`),
          ),
        ),
      );
    } catch (e) {
      replace(results, errorBox(e));
    }
  }

  async function refresh() {
    try {
      const r = await call<{ creatives: CreativeJson[] }>('list_creatives', {});
      if (r.creatives.length === 0) {
        replace(gallery, h('p', { class: 'muted', 'data-test': 'cr-empty' }, t('cr.empty')));
        return;
      }
      replace(
        gallery,
        ...r.creatives.map((c) =>
          h(
            'figure',
            { class: 'cr-item', 'data-test': 'cr-item' },
            c.url ? h('video', { src: c.url, poster: c.thumbnail_url, controls: true, preload: 'metadata', 'data-test': 'cr-video' }) : null,
            h(
              'figcaption',
              null,
              h('strong', null, c.hook_text),
              h('div', { class: 'muted small' }, `#${c.product ?? ''} · ${c.template} · ${c.hook} · ${c.lang} · ${c.duration_s} s`),
              h('span', { class: 'badge status-paused' }, c.in_market ? t('cr.inMarket') : t('cr.notInMarket')),
            ),
          ),
        ),
      );
    } catch (e) {
      replace(gallery, errorBox(e));
    }
  }

  async function make() {
    if (!selected || busy) return;
    busy = true;
    generate.disabled = true;
    replace(status, spinner(t('cr.rendering')));
    try {
      const r = await call<{ creatives: CreativeJson[]; message: string }>('generate_creatives', {
        product_id: selected.id,
        variants: Number(variants.value),
        language: lang.value,
      });
      replace(status, okBox(r.message, 'cr-made'));
      await refresh();
    } catch (e) {
      replace(status, errorBox(e));
    } finally {
      busy = false;
      generate.disabled = !selected;
    }
  }

  query.addEventListener('input', () => void search());
  const el = h(
    'div',
    { class: 'page' },
    h('div', { class: 'page-head' }, h('h1', null, t('cr.title'))),
    card(t('cr.makeTitle'), [
      h('p', { class: 'muted' }, t('cr.makeNote')),
      query,
      results,
      h('div', { class: 'cr-controls' }, h('label', null, t('cr.language'), ' ', lang), h('label', null, t('cr.variants'), ' ', variants), generate),
      status,
    ]),
    card(t('cr.galleryTitle'), [h('p', { class: 'muted' }, t('cr.galleryNote')), gallery]),
  );
  void search();
  void refresh();
  return { el, destroy() {} };
}
