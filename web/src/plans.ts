// The live plan view: the account's plans, and one plan with KPIs, charts refreshed every few
// seconds, pause/resume/end, budget and goal edits (dry run, then confirm), suggestions that apply
// with one click, and the plan's audit log.
import {
  call,
  type Change,
  type PlanDetail,
  type PlanSummary,
  type ReportRow,
  type Suggestion,
  type WriteResult,
} from './api';
import { h, newKey, replace } from './dom';
import { lang, t, type Key } from './i18n';
import { int, money, moneyShort, num, pct, simShort, simTime } from './format';
import { ChartBox } from './charts';
import { card, diffTable, describeChange, errorBox, kpi, okBox, spinner, statusBadge, statusLabel, toast } from './ui';
import { objectiveLabel } from './wizard';

export const REFRESH_MS = 3000;

// What a change did: the autopilot's notes (args.notes) and the before/after difference.
function changeText(c: any): string {
  const notes: string = Array.isArray(c.args?.notes)
    ? c.args.notes.join('; ')
    : String(c.note ?? c.args?.note ?? '');
  const diff = c.before == null && c.after == null ? '' : describeChange(c.before, c.after);
  return [notes, diff].filter((x) => x && x !== '—').join(' · ') || '—';
}

interface View {
  el: HTMLElement;
  destroy(): void;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function channelLabel(c: string): string {
  const k = `channel.${c}` as Key;
  return ['feed', 'live', 'search', 'mall'].includes(c) ? t(k) : c;
}

// alpha multiplies the predicted value of an impression; its scale depends on the objective.
function alphaText(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  return num(v, Math.abs(v) >= 100 ? 1 : Math.abs(v) >= 10 ? 2 : 3);
}

function goalText(p: PlanSummary): string {
  if (p.objective) {
    const tgt =
      p.target_cpa !== undefined
        ? t('plan.goalCpa', { v: money(p.target_cpa) })
        : p.target_roi !== undefined && p.objective !== 'profit'
          ? t('plan.goalRoi', { v: num(p.target_roi) })
          : '';
    return tgt ? `${objectiveLabel(p.objective)} · ${tgt}` : objectiveLabel(p.objective);
  }
  if (p.bid_type === 'target_roi' && p.target_roi !== undefined) return t('plan.goalRoi', { v: num(p.target_roi) });
  if (p.bid !== undefined) return `${p.bid_type.toUpperCase()} ${money(p.bid)}`;
  return p.bid_type;
}

// ---------------------------------------------------------------------------------------------
// The page: account overview, the plan list and the selected plan.

export function renderPlans(selected: number | null, navigate: (hash: string, replace?: boolean) => void): View {
  const overview = h('section', { class: 'overview', 'data-test': 'overview' }, spinner());
  const listBody = h('div', { class: 'plan-list-body' }, spinner());
  const detailHost = h('div', { class: 'plan-detail-host' });
  const root = h(
    'div',
    { class: 'page plans-page' },
    overview,
    h(
      'div',
      { class: 'plans-layout' },
      card(t('plans.title'), [listBody], {
        cls: 'plan-list',
        test: 'plan-list',
        extra: h('a', { class: 'btn btn-primary btn-sm', href: '#/new', 'data-test': 'new-plan' }, t('plans.new')),
      }),
      detailHost,
    ),
  );

  let detail: PlanDetailView | null = null;
  let timer: number | undefined;
  let busy = false;
  let alive = true;
  let lastPlans: unknown = undefined;
  let lastOverview: unknown = undefined;

  if (selected !== null) {
    detail = new PlanDetailView(selected);
    detailHost.appendChild(detail.el);
  }

  function renderOverview(o: any) {
    if (same(o, lastOverview)) return;
    lastOverview = o;
    const f = o.flight ?? {};
    const td = o.today ?? {};
    const by = o.plans?.by_status ?? {};
    replace(
      overview,
      h('div', { class: 'overview-title' }, h('span', { class: 'muted' }, t('ov.account')), ' ', h('strong', null, o.merchant ?? '')),
      h(
        'div',
        { class: 'kpis' },
        kpi(t('ov.flightSpend'), money(f.spend), t('ov.ofBudget', { budget: money(f.budget) })),
        kpi(t('ov.gmv'), money(f.gmv), t('ov.purchases', { n: int(f.purchases) })),
        kpi(t('ov.roi'), num(f.roi)),
        kpi(t('ov.todaySpend'), money(td.spend_so_far ?? td.spend)),
        kpi(
          t('ov.plans'),
          int(o.plans?.count ?? 0),
          Object.entries(by)
            .map(([s, n]) => `${statusLabel(s)} ${n}`)
            .join(' · ') || undefined,
        ),
      ),
    );
  }

  function renderList(plans: PlanSummary[]) {
    if (same(plans, lastPlans) && listBody.dataset.sel === String(selected)) return;
    lastPlans = plans;
    listBody.dataset.sel = String(selected);
    if (!plans.length) {
      replace(
        listBody,
        h(
          'div',
          { class: 'empty-state', 'data-test': 'no-plans' },
          h('p', null, t('plans.empty')),
          h('a', { class: 'btn btn-primary', href: '#/new' }, t('plans.createFirst')),
        ),
      );
      return;
    }
    replace(
      listBody,
      h(
        'table',
        { class: 'table plan-table' },
        h(
          'thead',
          null,
          h('tr', null, h('th', null, t('plans.name')), h('th', null, t('plans.status')), h('th', { class: 'num' }, t('plans.spent')), h('th', { class: 'num' }, t('plans.roi'))),
        ),
        h(
          'tbody',
          null,
          plans
            .slice()
            .reverse()
            .map((p) =>
              h(
                'tr',
                {
                  class: `clickable ${p.id === selected ? 'selected' : ''}`,
                  'data-test': 'plan-row',
                  'data-id': p.id,
                  tabindex: 0,
                  onclick: () => navigate(`#/plans/${p.id}`),
                  onkeydown: (e: KeyboardEvent) => e.key === 'Enter' && navigate(`#/plans/${p.id}`),
                },
                h('td', null, h('div', { class: 'plan-name' }, p.name), h('div', { class: 'muted small' }, `#${p.id} · ${goalText(p)}`)),
                h('td', null, statusBadge(p.status)),
                h('td', { class: 'num' }, money(p.spent_total), h('div', { class: 'muted small' }, t('plans.of', { v: money(p.total_budget) }))),
                h('td', { class: 'num' }, num(p.metrics?.roi)),
              ),
            ),
        ),
      ),
    );
  }

  async function listAll(): Promise<PlanSummary[]> {
    const out: PlanSummary[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const r = await call<{ plans: PlanSummary[]; next_cursor?: string }>('list_ad_plans', cursor ? { cursor, limit: 200 } : { limit: 200 });
      out.push(...r.plans);
      if (!r.next_cursor) break;
      cursor = r.next_cursor;
    }
    return out;
  }

  async function tick() {
    if (busy || !alive) return;
    busy = true;
    try {
      const [ov, plans] = await Promise.all([call('get_account_overview'), listAll()]);
      if (!alive) return;
      renderOverview(ov);
      renderList(plans);
      if (selected === null && plans.length) {
        // Nothing chosen: show the newest plan.
        navigate(`#/plans/${plans[plans.length - 1].id}`, true);
        return;
      }
      if (selected === null) {
        replace(detailHost, card(t('plans.detail'), [h('p', { class: 'muted' }, t('plans.noneSelected'))]));
      }
      if (detail) await detail.refresh();
    } catch (e) {
      if (!alive) return;
      if (lastPlans === undefined) replace(listBody, errorBox(e));
      if (lastOverview === undefined) replace(overview, errorBox(e));
    } finally {
      busy = false;
    }
  }

  tick();
  timer = window.setInterval(tick, REFRESH_MS);
  return {
    el: root,
    destroy() {
      alive = false;
      clearInterval(timer);
      detail?.destroy();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// One plan.

class PlanDetailView {
  readonly el: HTMLElement;
  private loaded = false;
  private readonly head = h('div', { class: 'plan-head' });
  private readonly kpis = h('div', { class: 'kpis plan-kpis', 'data-test': 'plan-kpis' });
  private readonly spend = new ChartBox('spend', t('chart.empty'));
  private readonly roi = new ChartBox('roi', t('chart.empty'));
  private readonly alpha = new ChartBox('alpha', t('chart.emptyAlpha'));
  private readonly channels = new ChartBox('channels', t('chart.empty'));
  private readonly observed = h('p', { class: 'observed muted small', 'data-test': 'observed' });
  private readonly suggestionsBody = h('div', { class: 'suggestions', 'data-test': 'suggestions' }, spinner());
  private readonly applied = h('div', { class: 'applied', 'data-test': 'applied' });
  private readonly changesBody = h('div', { 'data-test': 'changes' }, spinner());
  private readonly diagnosisBody = h('div', { class: 'diagnosis', 'data-test': 'diagnosis' }, h('p', { class: 'muted small' }, t('diag.intro')));
  private readonly editHost = h('div', { class: 'edit' });
  private readonly editResult = h('div', { class: 'edit-result', 'data-test': 'edit-result' });
  private readonly statusMsg = h('div', { class: 'status-msg' });
  private readonly content: HTMLElement;
  private readonly errorHost = h('div');
  private last: Record<string, unknown> = {};
  // Refreshes overlap (the timer's and one after an action); a response older than the one
  // already drawn is dropped, so a slow stale answer never redraws old values over new ones.
  private refreshStarted = 0;
  private refreshDrawn = 0;
  // Set while the merchant has typed into an edit form: the timer's refresh then leaves the
  // forms alone (unless the plan's status changed) instead of wiping what is being typed.
  private editDirty = false;
  private suggestionKeys = new Map<string, string>();
  private alive = true;

  constructor(readonly id: number) {
    this.content = h(
      'div',
      { class: 'plan-content', hidden: true },
      this.head,
      this.statusMsg,
      this.kpis,
      h(
        'div',
        { class: 'chart-grid' },
        card(t('chart.spendTitle'), [h('p', { class: 'chart-note' }, t('chart.spendNote')), this.spend.el], { cls: 'chart-card' }),
        card(t('chart.roiTitle'), [h('p', { class: 'chart-note' }, t('chart.roiNote')), this.roi.el], { cls: 'chart-card' }),
        card(t('chart.alphaTitle'), [h('p', { class: 'chart-note' }, t('chart.alphaNote')), this.alpha.el], { cls: 'chart-card' }),
        card(t('chart.channelTitle'), [h('p', { class: 'chart-note' }, t('chart.channelNote')), this.channels.el], { cls: 'chart-card' }),
      ),
      h(
        'div',
        { class: 'detail-grid' },
        card(t('sug.title'), [h('p', { class: 'chart-note' }, t('sug.note')), this.observed, this.suggestionsBody, this.applied], { test: 'suggestions-card', cls: 'suggestions-card' }),
        card(t('edit.title'), [this.editHost, this.editResult], { test: 'edit-card' }),
      ),
      card(t('diag.title'), [this.diagnosisBody], {
        test: 'diagnosis-card',
        extra: h('button', { class: 'btn', 'data-test': 'run-diagnosis', onclick: () => void this.diagnose() }, t('diag.run')),
      }),
      card(t('log.title'), [this.changesBody], { test: 'changes-card' }),
    );
    this.el = h('div', { class: 'plan-detail', 'data-test': 'plan-detail', 'data-id': id }, this.errorHost, h('div', { class: 'plan-loading' }, spinner()), this.content);
  }

  destroy() {
    this.alive = false;
    [this.spend, this.roi, this.alpha, this.channels].forEach((c) => c.dispose());
  }

  private changed(key: string, value: unknown): boolean {
    if (same(this.last[key], value)) return false;
    this.last[key] = value;
    return true;
  }

  async refresh(): Promise<void> {
    const mine = ++this.refreshStarted;
    try {
      const [plan, hours, chans, sug, changes] = await Promise.all([
        call<PlanDetail>('get_ad_plan', { plan_id: this.id }),
        call<{ rows: ReportRow[] }>('get_report', { plan_ids: [this.id], granularity: 'hour' }),
        call<{ rows: ReportRow[] }>('get_report', { plan_ids: [this.id], granularity: 'total', dimension: 'channel' }),
        call<{ suggestions: Suggestion[]; observed?: any }>('get_bid_budget_suggestion', { plan_id: this.id }),
        call<{ changes: Change[] }>('list_changes', { plan_id: this.id, limit: 20 }),
      ]);
      if (!this.alive || mine < this.refreshDrawn) return;
      this.refreshDrawn = mine;
      replace(this.errorHost);
      if (!this.loaded) {
        this.loaded = true;
        (this.el.querySelector('.plan-loading') as HTMLElement).remove();
        this.content.hidden = false;
      }
      if (this.changed('head', [plan.name, plan.status, plan.objective, plan.target_roi, plan.target_cpa])) this.renderHead(plan);
      if (this.changed('kpis', plan)) this.renderKpis(plan);
      if (this.changed('hours', [hours.rows, plan.daily_budget, plan.total_budget, plan.target_roi])) this.renderHourCharts(plan, hours.rows);
      if (this.changed('chans', chans.rows)) this.renderChannels(chans.rows);
      if (this.changed('observed', sug.observed)) this.renderObserved(sug.observed);
      if (this.changed('sug', sug.suggestions)) this.renderSuggestions(sug.suggestions);
      if (this.changed('changes', changes.changes)) this.renderChanges(changes.changes);
      const editKey = [plan.status, plan.objective, plan.bid_type, plan.total_budget, plan.daily_budget, plan.target_roi, plan.target_cpa, plan.bid];
      const statusChanged = (this.last.edit as unknown[] | undefined)?.[0] !== plan.status;
      if ((!this.editDirty || statusChanged) && this.changed('edit', editKey)) {
        this.editDirty = false;
        this.renderEdit(plan);
      }
      this.el.dataset.spent = String(plan.spent_total);
      this.el.dataset.status = plan.status;
    } catch (e) {
      if (!this.alive || mine < this.refreshDrawn) return;
      replace(this.errorHost, errorBox(e, 'plan-error'));
      if (!this.loaded) (this.el.querySelector('.plan-loading') as HTMLElement | null)?.remove();
    }
  }

  // --- head: name, status, pause/resume/end -------------------------------------------------

  private renderHead(p: PlanDetail) {
    const buttons: HTMLElement[] = [];
    const act = (status: string, label: string, cls: string, test: string) =>
      h('button', { class: `btn ${cls}`, 'data-test': test, onclick: (e: Event) => this.setStatus(status, e.currentTarget as HTMLButtonElement) }, label);
    if (p.status === 'active' || p.status === 'budget_exhausted') buttons.push(act('paused', t('plan.pause'), '', 'pause'));
    if (p.status === 'paused') buttons.push(act('active', t('plan.resume'), 'btn-primary', 'resume'));
    if (p.status !== 'ended') buttons.push(act('ended', t('plan.end'), 'btn-danger', 'end'));
    replace(
      this.head,
      h(
        'div',
        { class: 'plan-title' },
        h('h1', { 'data-test': 'plan-name' }, p.name),
        statusBadge(p.status),
        h('div', { class: 'muted' }, `#${p.id} · ${goalText(p)}${p.autopilot ? ` · ${t('plan.autopilot')}` : ''}`),
      ),
      h('div', { class: 'plan-actions' }, buttons, p.status === 'ended' ? h('span', { class: 'muted' }, t('plan.endedNote')) : null),
    );
  }

  private async setStatus(status: string, btn: HTMLButtonElement) {
    replace(this.statusMsg);
    if (status === 'ended') {
      // Ending is final: show the dry run and ask first.
      try {
        const dry = await call<WriteResult>('update_ad_plan_status', { plan_id: this.id, status });
        const key = newKey('end');
        const confirmBtn = h('button', { class: 'btn btn-danger', 'data-test': 'confirm-end' }, t('plan.confirmEnd'));
        confirmBtn.addEventListener('click', async () => {
          confirmBtn.disabled = true;
          try {
            const r = await call<WriteResult>('update_ad_plan_status', { plan_id: this.id, status, confirm: true, idempotency_key: key });
            replace(this.statusMsg, okBox(r.message));
            await this.refresh();
          } catch (e) {
            replace(this.statusMsg, errorBox(e));
            confirmBtn.disabled = false;
          }
        });
        replace(
          this.statusMsg,
          h(
            'div',
            { class: 'alert alert-warn', 'data-test': 'end-confirm' },
            h('p', null, h('strong', null, t('plan.endWarn'))),
            diffTable(dry.before, dry.after),
            h('div', { class: 'row-actions' }, confirmBtn, h('button', { class: 'btn', onclick: () => replace(this.statusMsg) }, t('common.cancel'))),
          ),
        );
      } catch (e) {
        replace(this.statusMsg, errorBox(e));
      }
      return;
    }
    btn.disabled = true;
    try {
      const r = await call<WriteResult>('update_ad_plan_status', { plan_id: this.id, status, confirm: true, idempotency_key: newKey('status') });
      toast(r.message, 'ok');
      await this.refresh();
    } catch (e) {
      replace(this.statusMsg, errorBox(e));
      btn.disabled = false;
    }
  }

  // --- KPIs --------------------------------------------------------------------------------------

  private renderKpis(p: PlanDetail) {
    const m = p.metrics;
    const used = p.total_budget > 0 ? p.spent_total / p.total_budget : 0;
    const target = p.objective === 'conversions_cpa' ? undefined : p.target_roi;
    replace(
      this.kpis,
      kpi(
        t('kpi.spend'),
        h('span', { 'data-test': 'spend-value', 'data-value': p.spent_total }, money(p.spent_total)),
        h('span', null, h('span', { class: 'bar' }, h('span', { style: `width:${Math.min(100, used * 100).toFixed(1)}%` })), t('kpi.ofBudget', { budget: money(p.total_budget), pct: pct(used, 1) })),
        'kpi-spend',
      ),
      kpi(t('kpi.today'), money(p.spent_today), p.daily_budget > 0 ? t('kpi.dailyCap', { v: money(p.daily_budget) }) : t('kpi.noDailyCap')),
      kpi(t('kpi.gmv'), money(m?.gmv), t('kpi.purchases', { n: int(m?.purchases) })),
      kpi(t('kpi.roi'), num(m?.roi), target ? t('kpi.goal', { v: num(target) }) : undefined, 'kpi-roi'),
      kpi(t('kpi.ctr'), pct(m?.ctr), t('kpi.clicks', { n: int(m?.clicks), imp: int(m?.impressions) })),
      kpi(t('kpi.cvr'), pct(m?.cvr), m && m.purchases > 0 ? t('kpi.cpa', { v: money(m.spend / m.purchases) }) : undefined),
      p.alpha !== undefined ? kpi(t('kpi.alpha'), alphaText(p.alpha), t('kpi.alphaSub')) : null,
    );
  }

  // --- charts ------------------------------------------------------------------------------------

  private renderHourCharts(p: PlanDetail, rows: ReportRow[]) {
    const labels = rows.map((r) => simShort(r.period_start));
    const startMinute = rows.length ? rows[0].period_start?.minute : undefined;
    let cum = 0;
    const cumSpend = rows.map((r) => (cum = Math.round((cum + r.spend) * 100) / 100));
    const daily = p.daily_budget > 0 ? p.daily_budget : p.total_budget / 7;
    const pace = rows.map((r, i) => {
      const minutes = startMinute !== undefined && r.period_start?.minute !== undefined ? r.period_start.minute - startMinute + 60 : (i + 1) * 60;
      return Math.round(Math.min(p.total_budget, (daily * minutes) / 1440) * 100) / 100;
    });
    const grid = { left: 8, right: 28, top: 36, bottom: 8, containLabel: true };
    const xAxis = { type: 'category', data: labels, boundaryGap: false, axisLabel: { hideOverlap: true } };
    this.spend.set(
      {
        grid,
        tooltip: { trigger: 'axis', valueFormatter: (v: number) => money(v) },
        legend: { top: 0, data: [t('chart.cumSpend'), t('chart.evenPace')] },
        xAxis,
        yAxis: { type: 'value', axisLabel: { formatter: (v: number) => moneyShort(v) } },
        series: [
          { name: t('chart.cumSpend'), type: 'line', data: cumSpend, showSymbol: rows.length < 3, areaStyle: { opacity: 0.12 }, lineStyle: { width: 2 } },
          { name: t('chart.evenPace'), type: 'line', data: pace, showSymbol: false, lineStyle: { type: 'dashed', width: 1.5 }, itemStyle: { color: '#8a94a6' } },
        ],
      },
      rows.length,
    );
    const target = p.objective !== 'conversions_cpa' && p.objective !== 'profit' ? p.target_roi : undefined;
    const roiValues = rows.filter((r) => r.spend > 0).map((r) => r.roi);
    const roiTop = Math.max(target ? target * 1.25 : 0, ...roiValues, 0.1);
    const roiStep = Math.pow(10, Math.floor(Math.log10(roiTop)));
    const roiMax = Math.ceil(roiTop / roiStep) * roiStep;
    this.roi.set(
      {
        grid,
        tooltip: { trigger: 'axis' },
        legend: { top: 0, data: [t('chart.gmv'), t('chart.roi')] },
        xAxis: { ...xAxis, boundaryGap: true },
        yAxis: [
          { type: 'value', name: '', axisLabel: { formatter: (v: number) => moneyShort(v) } },
          {
            type: 'value',
            name: '',
            splitLine: { show: false },
            // Keep the goal line in view even when every hour is below it.
            max: roiMax,
            axisLabel: { formatter: (v: number) => num(v, 1) },
          },
        ],
        series: [
          { name: t('chart.gmv'), type: 'bar', data: rows.map((r) => r.gmv), itemStyle: { color: '#9bb5f0' }, tooltip: { valueFormatter: (v: number) => money(v) } },
          {
            name: t('chart.roi'),
            type: 'line',
            yAxisIndex: 1,
            data: rows.map((r) => (r.spend > 0 ? r.roi : null)),
            connectNulls: false,
            showSymbol: rows.length < 3,
            itemStyle: { color: '#f08c2e' },
            tooltip: { valueFormatter: (v: number | null) => (v === null || v === undefined ? '—' : num(v)) },
            markLine: target
              ? { symbol: 'none', silent: true, lineStyle: { type: 'dashed', color: '#e0474c' }, label: { formatter: t('chart.goal', { v: num(target) }), position: 'insideEndTop' }, data: [{ yAxis: target }] }
              : undefined,
          },
        ],
      },
      rows.length,
    );
    // Only autopilot plans have an alpha; for them 0 is a real value (bid nothing).
    const alphaPoints = p.autopilot ? rows.filter((r) => r.alpha !== undefined).length : 0;
    this.alpha.set(
      {
        grid,
        tooltip: { trigger: 'axis', valueFormatter: (v: number) => alphaText(v) },
        legend: { top: 0, data: [t('chart.alpha')] },
        xAxis,
        yAxis: { type: 'value', scale: true, axisLabel: { formatter: (v: number) => alphaText(v) } },
        series: [
          {
            name: t('chart.alpha'),
            type: 'line',
            step: 'end',
            data: rows.map((r) => (p.autopilot && r.alpha !== undefined ? r.alpha : null)),
            showSymbol: rows.length < 3,
            itemStyle: { color: '#1b9e77' },
          },
        ],
      },
      alphaPoints,
    );
  }

  private renderChannels(rows: ReportRow[]) {
    const data = rows.filter((r) => r.spend > 0).map((r) => ({ name: channelLabel(r.channel ?? '?'), value: r.spend, gmv: r.gmv, roi: r.roi }));
    this.channels.set(
      {
        tooltip: {
          trigger: 'item',
          formatter: (x: any) => `${x.name}<br/>${t('chart.spend')}: ${money(x.value)} (${num(x.percent, 1)}%)<br/>${t('chart.gmv')}: ${money(x.data.gmv)}<br/>${t('chart.roi')}: ${num(x.data.roi)}`,
        },
        legend: { bottom: 0, type: 'scroll' },
        series: [
          {
            name: t('chart.spend'),
            type: 'pie',
            radius: ['32%', '58%'],
            center: ['50%', '46%'],
            avoidLabelOverlap: true,
            label: { formatter: '{b}\n{d}%', width: 80, overflow: 'break' },
            labelLine: { length: 8, length2: 8 },
            data,
          },
        ],
      },
      data.length,
    );
  }

  // --- suggestions -------------------------------------------------------------------------------

  private renderObserved(observed: any) {
    replace(
      this.observed,
      observed
        ? t('sug.observed', {
            hours: observed.hours ?? 0,
            spend: money(observed.spend),
            roi: num(observed.roi),
            used: pct(observed.daily_budget_used ?? 0, 0),
          })
        : '',
    );
  }

  private renderSuggestions(list: Suggestion[]) {
    if (!list.length) {
      replace(this.suggestionsBody, h('div', { class: 'empty-state small', 'data-test': 'no-suggestions' }, t('sug.none')));
      return;
    }
    replace(
      this.suggestionsBody,
      h(
        'ul',
        { class: 'suggestion-list' },
        list.map((s) => {
          const sig = JSON.stringify(s.action);
          if (!this.suggestionKeys.has(sig)) this.suggestionKeys.set(sig, newKey('suggestion'));
          const btn = h('button', { class: 'btn btn-primary', 'data-test': 'apply-suggestion', 'data-kind': s.kind }, t('sug.apply'));
          btn.addEventListener('click', () => this.apply(s, sig, btn));
          const args = Object.entries(s.action.arguments)
            .filter(([k]) => k !== 'plan_id' && k !== 'confirm')
            .map(([k, v]) => `${k} → ${v}`)
            .join(', ');
          return h(
            'li',
            { class: 'suggestion', 'data-test': 'suggestion', 'data-kind': s.kind },
            h('div', { class: 'suggestion-main' }, h('span', { class: `badge kind-${s.kind}` }, ['budget', 'goal', 'status'].includes(s.kind) ? t(`sug.kind.${s.kind}` as Key) : s.kind), h('p', { class: 'reason' }, s.reason)),
            h('div', { class: 'suggestion-action' }, h('code', null, `${s.action.name}(${args})`), btn),
          );
        }),
      ),
    );
  }

  private async apply(s: Suggestion, sig: string, btn: HTMLButtonElement) {
    btn.disabled = true;
    btn.textContent = t('sug.applying');
    replace(this.applied);
    try {
      const key = this.suggestionKeys.get(sig) ?? newKey('suggestion');
      const r = await call<WriteResult>(s.action.name, { ...s.action.arguments, idempotency_key: key });
      this.suggestionKeys.delete(sig);
      const log = await call<{ changes: Change[] }>('list_changes', { plan_id: this.id, limit: 20 });
      const entry = log.changes.find((c) => c.seq === r.audit_seq) ?? log.changes.find((c) => c.actor !== 'autopilot');
      replace(
        this.applied,
        h(
          'div',
          { class: 'alert alert-ok', 'data-test': 'applied-result' },
          h('p', null, h('strong', null, t('sug.applied')), ' ', r.message),
          entry
            ? h(
                'div',
                { class: 'audit-entry', 'data-test': 'audit-entry', 'data-seq': entry.seq },
                h('div', { class: 'small muted' }, t('sug.auditEntry', { seq: entry.seq, actor: entry.actor, when: simTime(entry.sim_time) })),
                h('div', null, h('code', null, entry.action)),
                diffTable(entry.before, entry.after),
              )
            : null,
        ),
      );
      this.last.sug = undefined;
      await this.refresh();
    } catch (e) {
      replace(this.applied, errorBox(e, 'apply-error'));
      btn.disabled = false;
      btn.textContent = t('sug.apply');
    }
  }

  // --- diagnosis: the sub-agents' report, with the actions the API can apply -------------------

  private async diagnose() {
    replace(this.diagnosisBody, spinner());
    try {
      const d = await call<any>('diagnose_ad_plan', { plan_id: this.id, language: lang() });
      const causes = (d.causes ?? []) as any[];
      replace(
        this.diagnosisBody,
        h('p', { class: 'small', 'data-test': 'diagnosis-roi' }, t('diag.roi', { hours: d.window_hours, before: num(d.roi_change?.before ?? 0), after: num(d.roi_change?.after ?? 0) })),
        causes.length === 0
          ? h('p', { class: 'muted', 'data-test': 'diagnosis-none' }, t('diag.none'))
          : h(
              'ol',
              { class: 'diagnosis-causes' },
              causes.map((c) =>
                h(
                  'li',
                  { 'data-test': 'diagnosis-cause', 'data-cause': c.cause },
                  h('strong', null, c.cause), ' ', h('span', { class: 'muted small' }, t('diag.confidence', { value: pct(c.confidence, 0) })),
                  h('ul', { class: 'small' }, (c.evidence as string[]).map((e) => h('li', null, e))),
                  h(
                    'ul',
                    { class: 'small' },
                    (c.actions as any[]).map((a) => {
                      if (!a.action) return h('li', null, a.description);
                      const s: Suggestion = { kind: 'diagnosis', reason: a.description, action: a.action };
                      const sig = JSON.stringify(a.action);
                      if (!this.suggestionKeys.has(sig)) this.suggestionKeys.set(sig, newKey('diagnosis'));
                      const btn = h('button', { class: 'btn btn-primary btn-small', 'data-test': 'apply-diagnosis' }, t('sug.apply'));
                      btn.addEventListener('click', () => this.apply(s, sig, btn));
                      return h('li', null, a.description, ' ', btn);
                    }),
                  ),
                ),
              ),
            ),
        h('details', null, h('summary', null, t('diag.report')), h('pre', { class: 'diagnosis-report', 'data-test': 'diagnosis-report' }, d.report)),
      );
    } catch (e) {
      replace(this.diagnosisBody, errorBox(e, 'diagnosis-error'));
    }
  }

  // --- budget and goal edits: dry run, then confirm --------------------------------------------

  private renderEdit(p: PlanDetail) {
    if (p.status === 'ended') {
      replace(this.editHost, h('p', { class: 'muted' }, t('plan.endedNote')));
      return;
    }
    const budgetForm = this.editForm({
      test: 'edit-budget',
      title: t('edit.budget'),
      action: 'update_ad_plan_budget',
      fields: [
        { name: 'total_budget', label: t('edit.total'), value: p.total_budget, step: '0.01', hint: t('edit.totalHint', { spent: money(p.spent_total) }) },
        { name: 'daily_budget', label: t('edit.daily'), value: p.daily_budget, step: '0.01', hint: t('edit.dailyHint') },
      ],
    });
    let goal: HTMLElement;
    if (p.objective === 'profit') {
      goal = h('p', { class: 'muted' }, t('edit.noGoal'));
    } else if (p.objective === 'conversions_cpa') {
      goal = this.editForm({ test: 'edit-goal', title: t('edit.goal'), action: 'update_ad_plan_bid', fields: [{ name: 'target_cpa', label: t('edit.targetCpa'), value: p.target_cpa ?? 0, step: '0.01' }] });
    } else if (p.objective || p.bid_type === 'target_roi') {
      goal = this.editForm({ test: 'edit-goal', title: t('edit.goal'), action: 'update_ad_plan_bid', fields: [{ name: 'target_roi', label: t('edit.targetRoi'), value: p.target_roi ?? 0, step: '0.01', hint: t('edit.roiHint') }] });
    } else {
      goal = this.editForm({ test: 'edit-goal', title: t('edit.bid'), action: 'update_ad_plan_bid', fields: [{ name: 'bid', label: t('edit.bidLabel'), value: p.bid ?? 0, step: '0.01' }] });
    }
    replace(this.editHost, budgetForm, goal);
  }

  private editForm(spec: { test: string; title: string; action: string; fields: Array<{ name: string; label: string; value: number; step: string; hint?: string }> }) {
    const round2 = (x: number) => Math.round(x * 100) / 100;
    const inputs = spec.fields.map((f) =>
      h('input', { type: 'number', step: f.step, min: 0, value: String(round2(f.value)), 'data-test': f.name, id: `${spec.test}-${f.name}`, oninput: () => (this.editDirty = true) }),
    );
    const out = h('div', { class: 'edit-out' });
    const preview = h('button', { class: 'btn', type: 'submit', 'data-test': 'preview' }, t('edit.preview'));
    const form = h(
      'form',
      { class: 'edit-form', 'data-test': spec.test, novalidate: true },
      h('h3', null, spec.title),
      h(
        'div',
        { class: 'form-grid' },
        spec.fields.map((f, i) => [h('label', { for: `${spec.test}-${f.name}` }, f.label), h('div', null, inputs[i], f.hint ? h('div', { class: 'hint' }, f.hint) : null)]),
      ),
      h('div', { class: 'row-actions' }, preview),
      out,
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const args: Record<string, unknown> = { plan_id: this.id };
      spec.fields.forEach((f, i) => {
        const raw = inputs[i].value.trim();
        if (raw !== '' && Number(raw) !== round2(f.value)) args[f.name] = Number(raw);
      });
      if (Object.keys(args).length === 1) {
        replace(out, h('p', { class: 'muted', 'data-test': 'nothing' }, t('edit.nothing')));
        return;
      }
      preview.disabled = true;
      replace(this.editResult);
      replace(out, spinner(t('edit.checking')));
      try {
        const dry = await call<WriteResult>(spec.action, args);
        const key = newKey('edit');
        const confirmBtn = h('button', { class: 'btn btn-primary', type: 'button', 'data-test': 'confirm' }, t('edit.confirm'));
        confirmBtn.addEventListener('click', async () => {
          confirmBtn.disabled = true;
          try {
            const r = await call<WriteResult>(spec.action, { ...args, confirm: true, idempotency_key: key });
            // The forms are redrawn with the new values first; the result then shows below them.
            replace(out);
            this.editDirty = false;
            this.last.edit = undefined;
            await this.refresh();
            replace(this.editResult, h('div', { class: 'alert alert-ok', 'data-test': 'edit-ok' }, h('p', null, h('strong', null, t('sug.applied')), ' ', r.message), diffTable(r.before, r.after)));
            toast(r.message, 'ok');
          } catch (err) {
            replace(out, errorBox(err, 'edit-error'));
          }
        });
        replace(
          out,
          h(
            'div',
            { class: 'preview-box', 'data-test': 'dry-run' },
            h('p', { class: 'small' }, h('strong', null, t('edit.dryRun')), ' ', h('span', { class: 'muted' }, dry.message)),
            diffTable(dry.before, dry.after),
            h('div', { class: 'row-actions' }, confirmBtn, h('button', { class: 'btn', type: 'button', onclick: () => replace(out) }, t('common.cancel'))),
          ),
        );
      } catch (err) {
        replace(out, errorBox(err, 'edit-error'));
      } finally {
        preview.disabled = false;
      }
    });
    return form;
  }

  // --- audit log -------------------------------------------------------------------------------

  private renderChanges(changes: Change[]) {
    if (!changes.length) {
      replace(this.changesBody, h('p', { class: 'muted' }, t('log.none')));
      return;
    }
    replace(
      this.changesBody,
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'table changes' },
          h('thead', null, h('tr', null, h('th', null, '#'), h('th', null, t('log.when')), h('th', null, t('log.actor')), h('th', null, t('log.action')), h('th', null, t('log.change')))),
          h(
            'tbody',
            null,
            changes.map((c) =>
              h(
                'tr',
                { 'data-test': 'change-row', 'data-seq': c.seq, 'data-action': c.action },
                h('td', null, String(c.seq)),
                h('td', null, simTime(c.sim_time)),
                h('td', null, h('span', { class: `badge actor ${c.actor === 'autopilot' ? 'actor-auto' : ''}` }, c.actor === 'autopilot' ? t('log.autopilot') : c.actor)),
                h('td', null, h('code', null, c.action)),
                h('td', { class: 'small' }, changeText(c)),
              ),
            ),
          ),
        ),
      ),
    );
  }
}

