// The shell: header with the simulated clock and the language switch, a hash router, and the
// token prompt when the server asks for one.
import './style.css';
import { h, replace } from './dom';
import { lang, onLangChange, setLang, t } from './i18n';
import { getToken, onAuthNeeded, serverStatus, setToken, type ServerStatus } from './api';
import { simTime, int } from './format';
import { renderWizard } from './wizard';
import { renderPlans } from './plans';
import { renderCreatives } from './creatives';

interface View {
  el: HTMLElement;
  destroy(): void;
}

const app = document.getElementById('app')!;
const header = h('header', { class: 'topbar' });
const banner = h('div', { class: 'banner-host' });
const main = h('main', { class: 'main' });
app.append(header, banner, main);

let view: View | null = null;
let clock: ServerStatus | null = null;
let clockError = false;
let needToken = false;

function route(): { name: 'plans' | 'new' | 'creatives'; id: number | null } {
  const hash = location.hash.replace(/^#\/?/, '');
  const [first, second] = hash.split('/');
  if (first === 'new') return { name: 'new', id: null };
  if (first === 'creatives') return { name: 'creatives', id: null };
  const id = first === 'plans' && second !== undefined && /^\d+$/.test(second) ? Number(second) : null;
  return { name: 'plans', id };
}

function navigate(hash: string, replaceEntry = false): void {
  if (location.hash === hash) return;
  if (replaceEntry) {
    history.replaceState(null, '', hash);
    renderView();
  } else {
    location.hash = hash;
  }
}

function renderClock(): HTMLElement {
  if (clockError && !clock) return h('div', { class: 'clock offline', 'data-test': 'clock' }, t('clock.offline'));
  if (!clock) return h('div', { class: 'clock', 'data-test': 'clock' }, '…');
  return h(
    'div',
    { class: `clock ${clockError ? 'offline' : ''}`, 'data-test': 'clock', title: clock.state_file ?? '' },
    h('span', { class: 'clock-label' }, t('clock.label')),
    h('strong', { 'data-test': 'clock-time' }, clock.flight_days ? t('time.dayOf', { day: Math.min(clock.day + 1, clock.flight_days), days: clock.flight_days, clock: clock.clock }) : simTime(clock)),
    clock.speed ? h('span', { class: 'clock-speed' }, t('clock.speed', { speed: int(clock.speed) })) : null,
    clock.flight_over ? h('span', { class: 'badge status-ended' }, t('clock.over')) : null,
    clockError ? h('span', { class: 'badge status-paused' }, t('clock.offline')) : null,
  );
}

const clockHost = h('div', { class: 'clock-host' });

function renderHeader(): void {
  const r = route();
  const link = (hash: string, name: string, label: string) =>
    h('a', { href: hash, class: r.name === name ? 'active' : '', 'data-test': `nav-${name}` }, label);
  replace(
    header,
    h('a', { class: 'brand', href: '#/plans' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, '乘'), h('span', null, t('app.brand')), h('span', { class: 'tagline' }, t('app.tagline'))),
    h('nav', { class: 'nav' }, link('#/plans', 'plans', t('nav.plans')), link('#/new', 'new', t('nav.new')), link('#/creatives', 'creatives', t('nav.creatives'))),
    clockHost,
    h(
      'button',
      { class: 'btn btn-sm lang', 'data-test': 'lang', title: t('nav.langTitle'), onclick: () => setLang(lang() === 'en' ? 'zh' : 'en') },
      t('nav.lang'),
    ),
  );
  replace(clockHost, renderClock());
  document.title = t('app.title');
}

function renderBanner(): void {
  if (!needToken) {
    replace(banner);
    return;
  }
  const input = h('input', { type: 'password', placeholder: t('token.placeholder'), value: getToken(), 'data-test': 'token' });
  replace(
    banner,
    h(
      'form',
      {
        class: 'alert alert-warn token-form',
        onsubmit: (e: Event) => {
          e.preventDefault();
          setToken(input.value.trim());
          needToken = false;
          renderBanner();
          renderView();
        },
      },
      h('strong', null, t('token.title')),
      h('span', null, t('token.text')),
      input,
      h('button', { class: 'btn btn-primary', type: 'submit' }, t('token.save')),
    ),
  );
}

function renderView(): void {
  view?.destroy();
  const r = route();
  if (r.name === 'new') view = renderWizard(navigate);
  else if (r.name === 'creatives') view = renderCreatives();
  else view = renderPlans(r.id, navigate);
  replace(main, view.el);
  renderHeader();
}

async function pollClock(): Promise<void> {
  try {
    clock = await serverStatus();
    clockError = false;
  } catch {
    clockError = true;
  }
  replace(clockHost, renderClock());
}

onAuthNeeded(() => {
  if (!needToken) {
    needToken = true;
    renderBanner();
  }
});
onLangChange(() => {
  renderBanner();
  renderView();
});
window.addEventListener('hashchange', renderView);

renderView();
pollClock();
setInterval(pollClock, 2000);
