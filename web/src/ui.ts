// Shared pieces of the console: cards, KPI tiles, badges, error and loading states, toasts.
import { h, type Child } from './dom';
import { t, type Key } from './i18n';
import { ApiError } from './api';

export function card(title: Child, body: Child[], opts: { extra?: Child; cls?: string; test?: string } = {}) {
  return h(
    'section',
    { class: `card ${opts.cls ?? ''}`.trim(), 'data-test': opts.test },
    h('header', { class: 'card-head' }, h('h2', null, title), opts.extra ? h('div', { class: 'card-extra' }, opts.extra) : null),
    h('div', { class: 'card-body' }, body),
  );
}

export function kpi(label: string, value: Child, sub?: Child, test?: string) {
  return h(
    'div',
    { class: 'kpi', 'data-test': test },
    h('div', { class: 'kpi-label' }, label),
    h('div', { class: 'kpi-value' }, value),
    sub ? h('div', { class: 'kpi-sub' }, sub) : null,
  );
}

const STATUS_KEYS: Record<string, Key> = {
  active: 'status.active',
  paused: 'status.paused',
  budget_exhausted: 'status.budget_exhausted',
  ended: 'status.ended',
};
export function statusLabel(status: string): string {
  const k = STATUS_KEYS[status];
  return k ? t(k) : status;
}
export function statusBadge(status: string) {
  return h('span', { class: `badge status-${status}`, 'data-test': 'status', 'data-status': status }, statusLabel(status));
}

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

// An error as the merchant sees it: the server's message, with its code for support.
export function errorBox(e: unknown, test = 'error') {
  const code = e instanceof ApiError ? e.code : '';
  return h(
    'div',
    { class: 'alert alert-error', role: 'alert', 'data-test': test, 'data-code': code },
    h('strong', null, t('err.title')),
    ' ',
    h('span', { class: 'alert-msg' }, errorMessage(e)),
    code ? h('span', { class: 'alert-code' }, code) : null,
  );
}

export function okBox(text: Child, test = 'ok') {
  return h('div', { class: 'alert alert-ok', role: 'status', 'data-test': test }, text);
}

export function spinner(label?: string) {
  return h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spin' }), label ?? t('common.loading'));
}

let toastHost: HTMLElement | null = null;
export function toast(text: string, kind: 'ok' | 'error' = 'ok'): void {
  if (!toastHost) {
    toastHost = h('div', { class: 'toasts', 'aria-live': 'polite' });
    document.body.appendChild(toastHost);
  }
  const el = h(
    'div',
    { class: `toast toast-${kind}`, 'data-test': `toast-${kind}` },
    h('span', null, text),
    h('button', { class: 'toast-close', 'aria-label': t('common.close'), onclick: () => el.remove() }, '×'),
  );
  toastHost.appendChild(el);
  setTimeout(() => el.remove(), kind === 'error' ? 12000 : 6000);
}

// Pretty-print a before/after value of the audit log or a dry run.
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'object') return String(v);
  const entries = Object.entries(v as Record<string, unknown>);
  if (!entries.length) return '—';
  return entries
    .map(([k, x]) => `${k}: ${Array.isArray(x) ? `[${x.join(', ')}]` : typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x)}`)
    .join(', ');
}

// An audit entry's change in one line: only the fields that differ ("target_roi: 1.5 → 1.65").
export function describeChange(before: unknown, after: unknown): string {
  if ((before === null || before === undefined) && (after === null || after === undefined)) return '—';
  if (before === null || before === undefined || typeof before !== 'object' || typeof after !== 'object' || after === null) {
    return before === null || before === undefined ? describeValue(after) : `${describeValue(before)} → ${describeValue(after)}`;
  }
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const keys = Array.from(new Set([...Object.keys(b), ...Object.keys(a)])).filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  if (!keys.length) return describeValue(after);
  return keys.map((k) => `${k}: ${cell(b[k])} → ${cell(a[k])}`).join('; ');
}

function cell(x: unknown): string {
  if (x === null || x === undefined) return '—';
  if (Array.isArray(x)) return x.join(', ');
  if (typeof x === 'object') return JSON.stringify(x);
  return String(x);
}

// before/after as a table of the fields that differ (all of them when nothing differs).
export function diffTable(before: any, after: any) {
  const b = before && typeof before === 'object' ? before : {};
  const a = after && typeof after === 'object' ? after : {};
  const keys = Array.from(new Set([...Object.keys(b), ...Object.keys(a)]));
  const changed = keys.filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  const shown = changed.length ? changed : keys;
  return h(
    'table',
    { class: 'table diff', 'data-test': 'diff' },
    h('thead', null, h('tr', null, h('th', null, t('diff.field')), h('th', null, t('diff.before')), h('th', null, t('diff.after')))),
    h(
      'tbody',
      null,
      shown.map((k) =>
        h(
          'tr',
          { class: changed.includes(k) ? 'changed' : '' },
          h('td', null, k),
          h('td', null, cell(b[k])),
          h('td', null, cell(a[k])),
        ),
      ),
    ),
  );
}
