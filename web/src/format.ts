// Number formatting for the current language: money with 2 decimals, percentages, ratios.
import { lang, t } from './i18n';
import type { SimTime } from './api';

function locale(): string {
  return lang() === 'zh' ? 'zh-CN' : 'en-US';
}

const cache = new Map<string, Intl.NumberFormat>();
function nf(key: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const k = `${locale()}|${key}`;
  let f = cache.get(k);
  if (!f) {
    f = new Intl.NumberFormat(locale(), opts);
    cache.set(k, f);
  }
  return f;
}

export function money(x: number | null | undefined, currency = 'USD'): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return nf(`money-${currency}`, {
    style: 'currency',
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  }).format(x);
}

export function moneyShort(x: number): string {
  return nf('money-short', {
    style: 'currency',
    currency: 'USD',
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(x);
}

export function int(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return nf('int', { maximumFractionDigits: 0 }).format(x);
}

export function num(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return nf(`num${digits}`, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x);
}

// A share in [0, 1] as a percentage.
export function pct(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return nf(`pct${digits}`, {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(x);
}

// The server counts days from the flight start at 0; merchants count from day 1.
export function simTime(s: SimTime | null | undefined): string {
  if (!s) return '—';
  return t('time.dayClock', { day: s.day + 1, clock: s.clock });
}

export function simShort(s: SimTime | null | undefined): string {
  if (!s) return '';
  return t('time.short', { day: s.day + 1, clock: s.clock });
}
