// The HTTP API of `chengfang serve` (docs/action-api.md): POST /api/v1/<action> with a JSON body,
// GET /api/v1/status. Errors come back as {"error": {"code", "message"}}.
import { t } from './i18n';

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'chengfang.token';
export function getToken(): string {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}
export function setToken(token: string): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage disabled: the token lives for this page only */
  }
}

// Listeners told about 401s so the shell can ask for a token.
const authListeners: Array<() => void> = [];
export function onAuthNeeded(fn: () => void): void {
  authListeners.push(fn);
}

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError('network', 0, t('err.network'));
  }
  const text = await res.text();
  let json: any = undefined;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const err = json?.error;
    if (res.status === 401) authListeners.forEach((fn) => fn());
    throw new ApiError(
      err?.code ?? `http_${res.status}`,
      res.status,
      err?.message ?? (text.trim() || `${res.status} ${res.statusText}`),
    );
  }
  if (json === undefined) throw new ApiError('bad_response', res.status, t('err.badResponse'));
  return json as T;
}

export function call<T = any>(action: string, args: Record<string, unknown> = {}): Promise<T> {
  return request<T>('POST', `api/v1/${action}`, args);
}

export interface SimTime {
  minute?: number;
  day: number;
  clock: string;
}
export interface ServerStatus extends SimTime {
  sim_minute?: number;
  flight_days?: number;
  running?: boolean;
  speed?: number;
  flight_over?: boolean;
  state_file?: string;
}
export function serverStatus(): Promise<ServerStatus> {
  return request<ServerStatus>('GET', 'api/v1/status');
}

// Shapes of the results the dashboard reads (a subset of what the server sends).
export interface MetricsJson {
  spend: number;
  gmv: number;
  roi: number;
  impressions: number;
  clicks: number;
  purchases: number;
  ctr: number;
  cvr: number;
}
export interface PlanSummary {
  id: number;
  name: string;
  status: string;
  bid_type: string;
  total_budget: number;
  daily_budget: number;
  spent_total: number;
  spent_today?: number;
  metrics?: MetricsJson;
  autopilot?: boolean;
  objective?: string;
  target_roi?: number;
  target_cpa?: number;
  bid?: number;
  alpha?: number;
}
export interface PlanDetail extends PlanSummary {
  products?: Array<{ id: number; name: string; price: number; metrics: MetricsJson }>;
  channels?: Record<string, MetricsJson>;
  last_24h?: Array<MetricsJson & { hour_end: SimTime; alpha: number }>;
}
export interface ReportRow extends MetricsJson {
  period_start?: SimTime;
  channel?: string;
  product?: string;
  alpha?: number;
}
export interface Product {
  id: number;
  name: string;
  category: string;
  price: number;
  margin: number;
}
export interface WriteResult {
  dry_run: boolean;
  applied: boolean;
  replayed?: boolean;
  message: string;
  before?: any;
  after?: any;
  plan?: PlanSummary;
  plan_id?: number;
  audit_seq?: number;
}
export interface Suggestion {
  kind: string;
  reason: string;
  action: { name: string; arguments: Record<string, unknown> };
}
export interface Change {
  seq: number;
  wall_time?: string | number;
  sim_time: SimTime;
  actor: string;
  action: string;
  plan_id: number;
  before: any;
  after: any;
  args?: any;
  note?: string;
}
