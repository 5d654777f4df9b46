// The super-plan wizard: budget, objective, products, then a review of the server's dry run, then
// Create (confirm: true with a client-side idempotency key, so a double click creates one plan).
import { call, type Product, type WriteResult } from './api';
import { h, newKey, replace } from './dom';
import { t, type Key } from './i18n';
import { money, num, pct } from './format';
import { card, errorBox, okBox, spinner, toast } from './ui';

export const OBJECTIVES = ['gmv_roi', 'conversions_cpa', 'profit', 'business_efficiency'] as const;
export type Objective = (typeof OBJECTIVES)[number];
export const MAX_PRODUCTS = 50;
export const BUDGET_MIN = 10;
export const BUDGET_MAX = 1_000_000;

interface WizardState {
  step: 1 | 2 | 3 | 4;
  budget: string;
  flightDays: string;
  name: string;
  objective: Objective;
  target: string;
  query: string;
  selected: Map<number, Product>;
  key: string;
  keyArgs: string;
}

function fresh(): WizardState {
  return {
    step: 1,
    budget: '',
    flightDays: '7',
    name: '',
    objective: 'gmv_roi',
    target: '',
    query: '',
    selected: new Map(),
    key: '',
    keyArgs: '',
  };
}

// Kept across language switches and page changes until a plan is created.
let state: WizardState = fresh();

export function objectiveLabel(o: string): string {
  const k = `obj.${o}` as Key;
  return OBJECTIVES.includes(o as Objective) ? t(k) : o;
}

function needsTarget(o: Objective): boolean {
  return o !== 'profit';
}
function targetLabel(o: Objective): string {
  return o === 'conversions_cpa' ? t('wiz.targetCpa') : o === 'business_efficiency' ? t('wiz.targetEff') : t('wiz.targetRoi');
}

function args(): Record<string, unknown> {
  const a: Record<string, unknown> = {
    budget: Number(state.budget),
    objective: state.objective,
    products: Array.from(state.selected.keys()),
    flight_days: Number(state.flightDays),
  };
  if (needsTarget(state.objective)) a.target = Number(state.target);
  if (state.name.trim()) a.name = state.name.trim();
  return a;
}

export function renderWizard(navigate: (hash: string) => void) {
  const root = h('div', { class: 'page wizard', 'data-test': 'wizard' });
  let searchTimer: number | undefined;
  let searchSeq = 0;
  let alive = true;

  const stepNames: Key[] = ['wiz.step1', 'wiz.step2', 'wiz.step3', 'wiz.step4'];
  function stepper() {
    return h(
      'ol',
      { class: 'stepper' },
      stepNames.map((k, i) =>
        h(
          'li',
          { class: i + 1 === state.step ? 'current' : i + 1 < state.step ? 'done' : '' },
          h('span', { class: 'step-num' }, String(i + 1)),
          h('span', { class: 'step-name' }, t(k)),
        ),
      ),
    );
  }

  function go(step: WizardState['step']) {
    state.step = step;
    render();
    window.scrollTo({ top: 0 });
  }

  function nav(opts: { back?: boolean; next?: () => void; nextLabel?: string; extra?: HTMLElement | null }) {
    return h(
      'div',
      { class: 'wizard-nav' },
      opts.back ? h('button', { class: 'btn', 'data-test': 'back', onclick: () => go((state.step - 1) as WizardState['step']) }, t('wiz.back')) : h('span'),
      opts.extra ?? null,
      opts.next ? h('button', { class: 'btn btn-primary', 'data-test': 'next', onclick: opts.next }, opts.nextLabel ?? t('wiz.next')) : null,
    );
  }

  // Step 1: the budget. Only "is it a number" is checked here: the server's own guardrails judge
  // the amount at review, with their message.
  function step1() {
    const err = h('div', { class: 'field-error', 'data-test': 'field-error' });
    const budget = h('input', {
      id: 'wiz-budget',
      type: 'number',
      inputmode: 'decimal',
      min: 0,
      step: '0.01',
      placeholder: '500.00',
      value: state.budget,
      'data-test': 'budget',
      oninput: (e: Event) => (state.budget = (e.target as HTMLInputElement).value),
    });
    const days = h('input', {
      id: 'wiz-days',
      type: 'number',
      min: 1,
      max: 365,
      step: 1,
      value: state.flightDays,
      'data-test': 'flight-days',
      oninput: (e: Event) => (state.flightDays = (e.target as HTMLInputElement).value),
    });
    const name = h('input', {
      id: 'wiz-name',
      type: 'text',
      maxlength: 100,
      placeholder: t('wiz.namePlaceholder'),
      value: state.name,
      'data-test': 'name',
      oninput: (e: Event) => (state.name = (e.target as HTMLInputElement).value),
    });
    const next = () => {
      const b = Number(state.budget);
      const d = Number(state.flightDays);
      if (state.budget.trim() === '' || !Number.isFinite(b)) {
        err.textContent = t('wiz.budgetNumber');
        budget.focus();
        return;
      }
      if (!Number.isInteger(d) || d < 1 || d > 365) {
        err.textContent = t('wiz.daysRange');
        days.focus();
        return;
      }
      go(2);
    };
    const perDay = Number(state.budget) > 0 && Number(state.flightDays) > 0 ? Number(state.budget) / Number(state.flightDays) : NaN;
    return card(t('wiz.step1Title'), [
      h('p', { class: 'lead' }, t('wiz.step1Lead')),
      h(
        'div',
        { class: 'form-grid' },
        h('label', { for: 'wiz-budget' }, t('wiz.budget'), h('span', { class: 'unit' }, 'USD')),
        budget,
        h('label', { for: 'wiz-days' }, t('wiz.flightDays')),
        days,
        h('label', { for: 'wiz-name' }, t('wiz.name'), h('span', { class: 'optional' }, t('wiz.optional'))),
        name,
      ),
      err,
      Number.isFinite(perDay) ? h('p', { class: 'hint' }, t('wiz.perDay', { amount: money(perDay) })) : null,
      h(
        'div',
        { class: 'guardrails', 'data-test': 'guardrails' },
        h('h3', null, t('wiz.guardTitle')),
        h(
          'ul',
          null,
          h('li', null, t('wiz.guardRange', { min: money(BUDGET_MIN), max: money(BUDGET_MAX) })),
          h('li', null, t('wiz.guardCall', { pct: pct(0.5, 0) })),
          h('li', null, t('wiz.guardDay', { pct: pct(1, 0) })),
          h('li', null, t('wiz.guardSpent')),
          h('li', null, t('wiz.guardEnded')),
        ),
      ),
      nav({ next }),
    ]);
  }

  // Step 2: one objective, and its target when it has one.
  function step2() {
    const err = h('div', { class: 'field-error', 'data-test': 'field-error' });
    const targetWrap = h('div', { class: 'target-field' });
    function renderTarget() {
      if (!needsTarget(state.objective)) {
        replace(targetWrap, h('p', { class: 'hint' }, t('wiz.noTarget')));
        return;
      }
      const input = h('input', {
        id: 'wiz-target',
        type: 'number',
        min: 0,
        step: '0.01',
        value: state.target,
        placeholder: state.objective === 'conversions_cpa' ? '8.00' : '1.50',
        'data-test': 'target',
        oninput: (e: Event) => (state.target = (e.target as HTMLInputElement).value),
      });
      replace(
        targetWrap,
        h('label', { for: 'wiz-target' }, targetLabel(state.objective)),
        input,
        h('p', { class: 'hint' }, t(`wiz.targetHint.${state.objective}` as Key)),
      );
    }
    const options = OBJECTIVES.map((o) =>
      h(
        'label',
        { class: `objective ${state.objective === o ? 'selected' : ''}`, 'data-test': `objective-${o}` },
        h('input', {
          type: 'radio',
          name: 'objective',
          value: o,
          checked: state.objective === o,
          onchange: () => {
            state.objective = o;
            options.forEach((el) => el.classList.toggle('selected', el.dataset.test === `objective-${o}`));
            renderTarget();
          },
        }),
        h('span', { class: 'objective-title' }, t(`obj.${o}` as Key)),
        h('span', { class: 'objective-desc' }, t(`obj.${o}.desc` as Key)),
      ),
    );
    renderTarget();
    const next = () => {
      if (needsTarget(state.objective)) {
        const v = Number(state.target);
        if (state.target.trim() === '' || !Number.isFinite(v) || v <= 0) {
          err.textContent = t('wiz.targetNeeded', { what: targetLabel(state.objective) });
          return;
        }
      }
      go(3);
    };
    return card(t('wiz.step2Title'), [
      h('p', { class: 'lead' }, t('wiz.step2Lead')),
      h('div', { class: 'objectives', role: 'radiogroup' }, options),
      targetWrap,
      err,
      nav({ back: true, next }),
    ]);
  }

  // Step 3: search the merchant's products and pick up to 50.
  function step3() {
    const err = h('div', { class: 'field-error', 'data-test': 'field-error' });
    const results = h('div', { class: 'product-results', 'data-test': 'product-results' });
    const chips = h('div', { class: 'chips', 'data-test': 'selected-products' });
    const counter = h('span', { class: 'counter', 'data-test': 'selected-count' });
    let last: Product[] = [];

    function renderChips() {
      counter.textContent = t('wiz.selectedCount', { n: state.selected.size, max: MAX_PRODUCTS });
      if (!state.selected.size) {
        replace(chips, h('span', { class: 'muted' }, t('wiz.noneSelected')));
        return;
      }
      replace(
        chips,
        Array.from(state.selected.values()).map((p) =>
          h(
            'span',
            { class: 'chip' },
            p.name,
            h(
              'button',
              {
                class: 'chip-x',
                'aria-label': t('wiz.remove'),
                onclick: () => {
                  state.selected.delete(p.id);
                  renderChips();
                  renderResults(last);
                },
              },
              '×',
            ),
          ),
        ),
      );
    }

    function renderResults(list: Product[]) {
      last = list;
      if (!list.length) {
        replace(results, h('p', { class: 'muted empty' }, t('wiz.noProducts')));
        return;
      }
      const full = state.selected.size >= MAX_PRODUCTS;
      replace(
        results,
        h(
          'table',
          { class: 'table products' },
          h(
            'thead',
            null,
            h('tr', null, h('th', null, ''), h('th', null, t('prod.name')), h('th', null, t('prod.category')), h('th', { class: 'num' }, t('prod.price')), h('th', { class: 'num' }, t('prod.margin'))),
          ),
          h(
            'tbody',
            null,
            list.map((p) => {
              const on = state.selected.has(p.id);
              return h(
                'tr',
                { class: on ? 'selected' : '', 'data-test': 'product-row', 'data-id': p.id },
                h(
                  'td',
                  null,
                  h('input', {
                    type: 'checkbox',
                    checked: on,
                    disabled: !on && full,
                    'aria-label': p.name,
                    'data-test': 'product-check',
                    onchange: (e: Event) => {
                      if ((e.target as HTMLInputElement).checked) {
                        if (state.selected.size >= MAX_PRODUCTS) {
                          (e.target as HTMLInputElement).checked = false;
                          err.textContent = t('wiz.maxProducts', { max: MAX_PRODUCTS });
                          return;
                        }
                        state.selected.set(p.id, p);
                      } else {
                        state.selected.delete(p.id);
                      }
                      err.textContent = '';
                      renderChips();
                      renderResults(last);
                    },
                  }),
                ),
                h('td', null, p.name, h('span', { class: 'id' }, ` #${p.id}`)),
                h('td', null, p.category),
                h('td', { class: 'num' }, money(p.price)),
                h('td', { class: 'num' }, pct(p.margin, 0)),
              );
            }),
          ),
        ),
      );
    }

    async function search() {
      const seq = ++searchSeq;
      replace(results, spinner(t('wiz.searching')));
      try {
        const r = await call<{ products: Product[] }>('search_products', { query: state.query, limit: 50 });
        if (seq !== searchSeq || !alive) return;
        renderResults(r.products);
      } catch (e) {
        if (seq !== searchSeq || !alive) return;
        replace(results, errorBox(e));
      }
    }

    const box = h('input', {
      type: 'search',
      placeholder: t('wiz.searchPlaceholder'),
      value: state.query,
      'data-test': 'product-search',
      'aria-label': t('wiz.searchPlaceholder'),
      oninput: (e: Event) => {
        state.query = (e.target as HTMLInputElement).value;
        clearTimeout(searchTimer);
        searchTimer = window.setTimeout(search, 250);
      },
      onkeydown: (e: KeyboardEvent) => {
        if (e.key === 'Enter') {
          clearTimeout(searchTimer);
          search();
        }
      },
    });
    renderChips();
    search();
    const next = () => {
      if (!state.selected.size) {
        err.textContent = t('wiz.pickOne');
        return;
      }
      go(4);
    };
    return card(t('wiz.step3Title'), [
      h('p', { class: 'lead' }, t('wiz.step3Lead', { max: MAX_PRODUCTS })),
      h('div', { class: 'search-row' }, box, counter),
      chips,
      results,
      err,
      nav({ back: true, next }),
    ]);
  }

  // Step 4: the server's dry run, then Create.
  function step4() {
    const a = args();
    const argsJson = JSON.stringify(a);
    if (state.keyArgs !== argsJson) {
      state.key = newKey('wizard');
      state.keyArgs = argsJson;
    }
    const body = h('div', { class: 'review', 'data-test': 'review' }, spinner(t('wiz.checking')));
    const outcome = h('div', { class: 'outcome' });
    const create = h('button', { class: 'btn btn-primary', 'data-test': 'create', disabled: true }, t('wiz.create'));
    let creating: Promise<void> | null = null;
    create.addEventListener('click', () => {
      if (creating) return; // the idempotency key covers a second request too
      creating = (async () => {
        create.disabled = true;
        create.textContent = t('wiz.creating');
        try {
          const r = await call<WriteResult>('create_super_plan', { ...a, confirm: true, idempotency_key: state.key });
          const id = r.plan_id ?? r.plan?.id;
          toast(r.message || t('wiz.created'), 'ok');
          replace(outcome, okBox(r.message || t('wiz.created'), 'created'));
          state = fresh();
          if (id !== undefined) navigate(`#/plans/${id}`);
        } catch (e) {
          replace(outcome, errorBox(e, 'create-error'));
          create.disabled = false;
          create.textContent = t('wiz.create');
        } finally {
          creating = null;
        }
      })();
    });

    (async () => {
      try {
        const r = await call<WriteResult>('create_super_plan', a);
        if (!alive) return;
        const after = r.after ?? {};
        const products = Array.from(state.selected.values());
        replace(
          body,
          h(
            'dl',
            { class: 'review-list' },
            h('dt', null, t('wiz.name')),
            h('dd', { 'data-test': 'review-name' }, after.name ?? '—'),
            h('dt', null, t('wiz.objective')),
            h('dd', null, objectiveLabel(after.objective ?? state.objective)),
            needsTarget(state.objective) ? [h('dt', null, targetLabel(state.objective)), h('dd', null, state.objective === 'conversions_cpa' ? money(after.target) : num(after.target))] : null,
            h('dt', null, t('wiz.budget')),
            h('dd', { 'data-test': 'review-budget' }, money(after.total_budget)),
            h('dt', null, t('wiz.dailyBudget')),
            h('dd', null, after.daily_budget > 0 ? money(after.daily_budget) : t('wiz.noDailyCap')),
            h('dt', null, t('wiz.flightDays')),
            h('dd', null, String(after.flight_days ?? state.flightDays)),
            h('dt', null, t('wiz.products')),
            h('dd', null, h('ul', { class: 'plain' }, products.map((p) => h('li', null, `${p.name} (#${p.id}, ${money(p.price)})`)))),
            h('dt', null, t('wiz.cells')),
            h('dd', null, t('wiz.cellsText', { n: after.cells ?? '—' })),
          ),
          h('p', { class: 'hint dry-run-msg', title: r.message }, t('wiz.dryRunNote')),
        );
        create.disabled = false;
      } catch (e) {
        if (!alive) return;
        replace(
          body,
          errorBox(e, 'review-error'),
          h('p', { class: 'hint' }, t('wiz.fixHint')),
          h('div', { class: 'fix-links' }, ([1, 2, 3] as const).map((s) => h('button', { class: 'btn btn-link', onclick: () => go(s) }, t('wiz.editStep', { step: t(stepNames[s - 1]) })))),
        );
      }
    })();

    return card(t('wiz.step4Title'), [h('p', { class: 'lead' }, t('wiz.step4Lead')), body, outcome, nav({ back: true, extra: create })]);
  }

  function render() {
    const steps = { 1: step1, 2: step2, 3: step3, 4: step4 } as const;
    replace(
      root,
      h('div', { class: 'page-head' }, h('h1', null, t('wiz.title')), h('p', { class: 'muted' }, t('wiz.subtitle'))),
      stepper(),
      steps[state.step](),
    );
  }
  render();
  return {
    el: root,
    destroy() {
      alive = false;
      clearTimeout(searchTimer);
    },
  };
}

export function resetWizard(): void {
  state = fresh();
}
