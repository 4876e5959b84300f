/**
 * The page shell every report shares: head (with a Content-Security-Policy
 * that forbids fetching anything), header, footer, and the inline CSS.
 */
import { escapeHtml, type Markup } from './markup.js';

export function page(title: string, kindLabel: string, body: Markup, version: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="pythran-leakcheck ${escapeHtml(version)}">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<div class="wrap">
<header class="top"><div class="brand"><span class="logo" aria-hidden="true">${LOGO}</span><span>pythran-leakcheck</span></div><div class="doc-kind">${escapeHtml(kindLabel)}</div></header>
${body.text}
<footer>Made by pythran-leakcheck ${escapeHtml(version)} · one self-contained file: no scripts, nothing fetched.</footer>
</div>
</body>
</html>
`;
}

const LOGO =
  '<svg viewBox="0 0 24 24" width="22" height="22"><path d="M4 18 L9 12 L13 15 L20 6" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round"/><circle cx="20" cy="6" r="2.4" fill="currentColor"/></svg>';



const CSS = `
:root{
  --bg:#f5f6f8;--panel:#ffffff;--ink:#1b1f24;--muted:#66707c;--line:#e3e6ea;--soft:#f0f2f5;
  --leak:#d1344b;--leak-bg:#fdecee;--ok:#16875a;--ok-bg:#e6f5ee;--warn:#b7791f;--warn-bg:#fdf4e3;
  --bad:#8e44ad;--bad-bg:#f4ecf8;--accent:#2f6fdb;--grey:#8a939e;--grey-bg:#eef0f3;
  color-scheme:light dark;
}
@media (prefers-color-scheme:dark){:root{
  --bg:#111418;--panel:#1a1e24;--ink:#e7eaee;--muted:#9aa4b0;--line:#2c323a;--soft:#222830;
  --leak:#ff6b7f;--leak-bg:#3a1d23;--ok:#43c78b;--ok-bg:#15302a;--warn:#e6b04b;--warn-bg:#352a15;
  --bad:#c58be0;--bad-bg:#2e2036;--accent:#6ea2ff;--grey:#7d8793;--grey-bg:#262c34;
}}
*{box-sizing:border-box}
html{background:var(--bg)}
body{margin:0;color:var(--ink);font:14px/1.5 "Segoe UI",Roboto,"Helvetica Neue",Arial,"Liberation Sans",sans-serif;-webkit-font-smoothing:antialiased}
code,pre,.path{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace;font-size:12.5px}
.wrap{max-width:1180px;margin:0 auto;padding:22px 28px 40px}
.top{display:flex;justify-content:space-between;align-items:center;color:var(--muted);font-size:13px;margin-bottom:6px}
.brand{display:flex;align-items:center;gap:8px;font-weight:600;color:var(--ink)}
.logo{color:var(--leak);display:inline-flex}
.doc-kind{text-transform:uppercase;letter-spacing:.08em;font-size:11px}
h1{font-size:26px;line-height:1.25;margin:6px 0 2px;font-weight:650;word-break:break-word}
h2{font-size:12px;text-transform:uppercase;letter-spacing:.08em;color:var(--muted);margin:0 0 10px;font-weight:600}
h3{font-size:17px;margin:0;font-weight:600;word-break:break-all}
h4{font-size:13.5px;margin:0;font-weight:600}
.sub{margin:0 0 12px;color:var(--muted)}
.muted{color:var(--muted)}
.hero{margin-bottom:16px}
.thresholds{font-size:12.5px;margin:10px 0 0;max-width:900px}
.chips{display:flex;gap:8px;flex-wrap:wrap}
.chip{display:inline-flex;align-items:center;gap:6px;border-radius:999px;padding:3px 12px;font-size:13px;background:var(--grey-bg);color:var(--ink)}
.chip b{font-size:15px}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:12px;padding:16px 18px;margin-bottom:16px}
.two{display:grid;grid-template-columns:1fr 1fr;gap:16px}
@media (max-width:860px){.two{grid-template-columns:1fr}}
dl{margin:0;display:grid;gap:7px}
dl>div{display:grid;grid-template-columns:96px 1fr;gap:8px}
dt{color:var(--muted)}
dd{margin:0;word-break:break-word}
.env dl{grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:10px 20px}
.env dl>div{display:block;min-width:0}
.env dt{font-size:12px}
.env dd strong{font-size:15px}
.two .env dl{grid-template-columns:1fr 1fr}
.path{display:block;font-size:11px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
table{border-collapse:collapse;width:100%}
th{font-weight:600;color:var(--muted);font-size:12px;text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);white-space:nowrap}
td{padding:7px 8px;border-bottom:1px solid var(--line);vertical-align:middle}
tr:last-child>td{border-bottom:0}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
a{color:inherit;text-decoration:none}
a:hover .fn{text-decoration:underline}
.file{color:var(--muted)}
.sep{color:var(--grey);margin:0 1px}
.fn{font-weight:600;color:var(--ink)}
.badge{display:inline-block;border-radius:6px;padding:2px 9px;font-size:12px;font-weight:650;white-space:nowrap;background:var(--grey-bg);color:var(--muted)}
.verdict-leak.badge,.chip.verdict-leak,.badge.status-regression,.chip.status-regression{background:var(--leak-bg);color:var(--leak)}
.verdict-ok.badge,.chip.verdict-ok,.badge.status-fixed,.chip.status-fixed{background:var(--ok-bg);color:var(--ok)}
.verdict-inconclusive.badge,.chip.verdict-inconclusive,.badge.status-known,.chip.status-known{background:var(--warn-bg);color:var(--warn)}
.verdict-error.badge,.verdict-crash.badge,.verdict-timeout.badge,.chip.verdict-error,.chip.verdict-crash,.chip.verdict-timeout,.badge.status-unjudged,.chip.status-unjudged{background:var(--bad-bg);color:var(--bad)}
.card{background:var(--panel);border:1px solid var(--line);border-left:4px solid var(--grey);border-radius:12px;padding:16px 20px 18px;margin-bottom:18px}
.card.verdict-leak{border-left-color:var(--leak)}
.card.verdict-ok{border-left-color:var(--ok)}
.card.verdict-inconclusive{border-left-color:var(--warn)}
.card.verdict-error,.card.verdict-crash,.card.verdict-timeout{border-left-color:var(--bad)}
.card-head{display:flex;justify-content:space-between;align-items:center;gap:12px}
.card-head .badge{font-size:13px;padding:3px 11px}
.facts{color:var(--muted);font-size:12.5px;margin-top:2px}
.headline{margin:12px 0 8px}
.headline .kind{font-size:15px}
.headline.leak .kind strong{color:var(--leak)}
.headline.ok .kind{color:var(--ok);font-weight:600}
.headline.inconclusive .kind{color:var(--warn);font-weight:600}
.headline.error .kind,.headline.crash .kind,.headline.timeout .kind{color:var(--bad);font-weight:600}
.figures{margin:2px 0 0}
.explain{margin:2px 0 0;color:var(--muted);font-size:13px}
.message{margin:6px 0}
.message code{background:var(--soft);border-radius:5px;padding:2px 6px}
pre.message{background:var(--soft);border-radius:8px;padding:10px 12px;white-space:pre-wrap;word-break:break-word;margin:8px 0}
.error-message{border-left:3px solid var(--bad)}
.diagnosis{margin:10px 0;padding:10px 14px;background:var(--soft);border-radius:8px;font-size:13px;gap:5px}
.diagnosis>div{grid-template-columns:150px 1fr}
.diagnosis .badge{font-size:11px;padding:0 7px}
.call{font-size:12.5px;margin:4px 0 8px}
.call code{background:var(--soft);border-radius:5px;padding:1px 6px}
table.signals{margin:8px 0 4px;font-size:13px}
table.signals td{padding:5px 8px}
table.signals tr.state-leak td:first-child{font-weight:600}
table.signals tr.reported td{color:var(--muted)}
.unit{color:var(--muted);font-size:11.5px}
.interval{color:var(--muted)}
.state{display:inline-block;border-radius:999px;padding:0 8px;font-size:11.5px;font-weight:600;background:var(--grey-bg);color:var(--muted)}
.state.state-leak{background:var(--leak-bg);color:var(--leak)}
.state.state-flat{background:var(--ok-bg);color:var(--ok)}
.state.state-undecided{background:var(--warn-bg);color:var(--warn)}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:12px;margin-top:12px}
.chart-card{margin:0;border:1px solid var(--line);border-radius:10px;padding:10px 10px 8px;background:var(--panel)}
.chart-card header{display:flex;justify-content:space-between;align-items:flex-start;gap:6px}
.chart-card .source{font-size:11px;color:var(--muted)}
.chart-card figcaption{display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap;gap:4px 10px;font-size:12.5px;margin-top:2px}
.chart-card .legend{font-size:11px;color:var(--muted);white-space:nowrap}
.key{display:inline-block;width:14px;height:0;border-top:2px solid var(--grey);vertical-align:middle;margin:0 3px 0 6px}
.key.readings{border-top-color:var(--accent)}
.key.fit{border-top:2.5px dashed var(--ink)}
.key.threshold{border-top:1.5px dotted var(--grey)}
.chart-card.state-leak .key.fit{border-top-color:var(--leak)}
.chart-card.state-flat .key.fit{border-top-color:var(--ok)}
.chart-card.state-undecided .key.fit{border-top-color:var(--warn)}
.no-data{height:120px;display:grid;place-items:center;color:var(--muted);font-size:12.5px}
svg.chart{display:block;width:100%;height:auto;margin-top:4px;overflow:visible}
svg.chart .plot{fill:var(--soft);stroke:none}
svg.chart .grid{stroke:var(--line);stroke-width:1}
svg.chart .axis,svg.chart .tickmark{stroke:var(--grey);stroke-width:1}
svg.chart .tick{fill:var(--muted);font-size:9.5px;font-family:inherit}
svg.chart .readings{fill:none;stroke:var(--accent);stroke-width:1.5;stroke-linejoin:round}
svg.chart .dot{fill:var(--panel);stroke:var(--accent);stroke-width:1.3}
svg.chart .fit{fill:none;stroke:var(--ink);stroke-width:2.4;stroke-dasharray:7 4;opacity:.75}
svg.chart.state-leak .fit{stroke:var(--leak);opacity:1}
svg.chart.state-flat .fit{stroke:var(--ok);opacity:1}
svg.chart.state-undecided .fit{stroke:var(--warn);opacity:1}
svg.chart .threshold{fill:none;stroke:var(--grey);stroke-width:1.3;stroke-dasharray:1.5 3}
svg.mini{display:block;overflow:visible}
svg.mini polyline{fill:none;stroke:var(--grey);stroke-width:1.8;stroke-linejoin:round;stroke-linecap:round}
svg.mini.verdict-leak polyline{stroke:var(--leak)}
svg.mini.verdict-ok polyline{stroke:var(--ok)}
table.gate td.side{min-width:200px}
.side-line{display:flex;align-items:center;gap:8px;margin-bottom:3px}
.figure{font-size:12.5px;color:var(--muted);font-variant-numeric:tabular-nums}
tr.status-regression>td:first-child{box-shadow:inset 3px 0 0 var(--leak)}
tr.status-fixed>td:first-child{box-shadow:inset 3px 0 0 var(--ok)}
.note{font-size:12px;color:var(--muted)}
.found{font-size:16px;margin:8px 0 0}
.found strong{font-size:18px;color:var(--accent)}
.timeline{list-style:none;display:flex;flex-wrap:wrap;gap:6px;margin:0;padding:0}
.timeline li{border-radius:6px;padding:3px 10px;font-family:ui-monospace,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px;background:var(--soft);color:var(--muted);border:1px solid var(--line)}
.timeline li.tried.verdict-leak{background:var(--leak-bg);color:var(--leak);border-color:transparent}
.timeline li.tried.verdict-ok{background:var(--ok-bg);color:var(--ok);border-color:transparent}
.timeline li.tried.verdict-skipped,.timeline li.tried.verdict-inconclusive{background:var(--warn-bg);color:var(--warn);border-color:transparent}
.timeline li.first{outline:2px solid var(--accent);outline-offset:1px;font-weight:700}
table.steps tr.first td{background:var(--soft)}
.first-chip{background:var(--accent);color:#fff;font-size:11px;padding:1px 8px}
.barcell{width:32%}
.bar{display:block;height:10px;border-radius:5px;background:var(--grey)}
.bar.verdict-leak{background:var(--leak)}
.bar.verdict-ok{background:var(--ok)}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:26px}
`;
