// The creatives page: the creatives the market serves for the merchant's products, with CTR and
// the wear-out test's state, and a button that rotates a worn one out for a fresh variant
// (rotate_creatives); and the creative factory: make video creatives for a product
// (generate_creatives) and watch them (list_creatives).
import { call } from './api';
import { h, replace } from './dom';
import { int, pct } from './format';
import { t, type Key } from './i18n';
import { card, errorBox, okBox, spinner } from './ui';

interface MarketCreative {
  creative_id: number;
  product_id: number;
  product_name?: string;
  live: boolean;
  hook: string;
  scene: string;
  age_days: number;
  impressions: number;
  clicks: number;
  ctr: number;
  wearout: { state: 'learning' | 'healthy' | 'worn_out'; early_ctr: number; recent_ctr: number };
}

const WEAR_KEYS: Record<string, Key> = { learning: 'cr.wearLearning', healthy: 'cr.wearHealthy', worn_out: 'cr.wearWorn' };

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
  creative_id?: number;
}

export function renderCreatives() {
  const results = h('div', { class: 'cr-products', 'data-test': 'cr-products' });
  const gallery = h('div', { class: 'cr-gallery', 'data-test': 'cr-gallery' }, spinner());
  const status = h('div', { 'data-test': 'cr-status' });
  const market = h('div', { 'data-test': 'cr-market' }, spinner());
  const marketStatus = h('div', { 'data-test': 'cr-market-status' });
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

  // One rotation (confirmed, idempotent), its message or error shown above the table with
  // `${test}` / `${test}-error`, then the page refreshed; the button comes back on error.
  async function rotate(args: Record<string, unknown>, btn: HTMLButtonElement, test: string) {
    btn.disabled = true;
    try {
      const r = await call<{ message: string }>('rotate_creatives', { ...args, confirm: true });
      replace(marketStatus, okBox(r.message, test));
      await refresh();
    } catch (e) {
      replace(marketStatus, errorBox(e, `${test}-error`));
      btn.disabled = false;
    }
  }

  function renderMarket(list: MarketCreative[]) {
    if (list.length === 0) {
      replace(market, h('p', { class: 'muted', 'data-test': 'cr-market-empty' }, t('cr.marketEmpty')));
      return;
    }
    const rows = [...list].sort((a, b) => Number(b.live) - Number(a.live) || a.product_id - b.product_id || b.creative_id - a.creative_id);
    replace(
      market,
      h(
        'table',
        { class: 'table' },
        h('thead', null, h('tr', null, ...(['cr.colCreative', 'cr.colProduct', 'cr.colHook', 'cr.colAge', 'cr.colImpressions', 'cr.colCtr', 'cr.colRecentCtr', 'cr.colWear', 'cr.colStatus', 'cr.colAction'] as Key[]).map((k) => h('th', null, t(k))))),
        h(
          'tbody',
          null,
          ...rows.map((c) => {
            const btn = h('button', { class: 'btn btn-small', 'data-test': 'cr-rotate', 'data-id': c.creative_id }, t('cr.rotate')) as HTMLButtonElement;
            btn.addEventListener('click', () =>
              void rotate({ product_id: c.product_id, pause_creative_ids: [c.creative_id], idempotency_key: `rotate-${c.creative_id}` }, btn, 'cr-rotated'),
            );
            const ready = c.wearout.state !== 'learning';
            return h(
              'tr',
              { 'data-test': 'cr-market-row', 'data-id': c.creative_id, 'data-live': String(c.live), 'data-wear': c.wearout.state },
              h('td', { class: 'id' }, `#${c.creative_id}`),
              h('td', null, h('div', null, c.product_name ?? ''), h('div', { class: 'id' }, `#${c.product_id}`)),
              h('td', null, `${c.hook}${c.scene !== 'none' ? ` · ${c.scene}` : ''}`),
              h('td', { class: 'num' }, `${c.age_days} d`),
              h('td', { class: 'num' }, int(c.impressions)),
              h('td', { class: 'num' }, pct(c.ctr)),
              h('td', { class: 'num' }, ready ? pct(c.wearout.recent_ctr) : '–'),
              h('td', null, h('span', { class: `badge wear-${c.wearout.state}` }, t(WEAR_KEYS[c.wearout.state]))),
              h('td', null, h('span', { class: `badge status-${c.live ? 'active' : 'paused'}` }, t(c.live ? 'cr.live' : 'cr.paused'))),
              h('td', null, c.live ? btn : null),
            );
          }),
        ),
      ),
    );
  }

  // Puts a made video into delivery in place of the product's most worn live creative.
  function useButton(c: CreativeJson) {
    const btn = h('button', { class: 'btn btn-small', 'data-test': 'cr-use', 'data-url': c.url }, t('cr.use')) as HTMLButtonElement;
    btn.addEventListener('click', () =>
      void rotate({ product_id: c.product, new_creatives: [c], idempotency_key: `use-${c.url}` }, btn, 'cr-used'),
    );
    return btn;
  }

  async function refresh() {
    try {
      const r = await call<{ creatives: CreativeJson[]; in_market?: MarketCreative[] }>('list_creatives', {});
      const marketList = r.in_market ?? [];
      renderMarket(marketList);
      const served = new Set(marketList.filter((m) => m.live).map((m) => m.product_id));
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
              h('span', { class: `badge ${c.in_market ? 'status-active' : 'status-paused'}`, 'data-test': 'cr-item-state' }, c.in_market ? t('cr.inMarket') : t('cr.notInMarket')),
              !c.in_market && c.url && c.product !== undefined && served.has(c.product) ? useButton(c) : null,
            ),
          ),
        ),
      );
    } catch (e) {
      replace(gallery, errorBox(e));
      replace(market, errorBox(e));
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
    card(t('cr.marketTitle'), [h('p', { class: 'muted' }, t('cr.marketNote')), marketStatus, market], { test: 'cr-market-card' }),
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
