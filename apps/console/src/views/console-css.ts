/** The console's one stylesheet, served as /assets/console.css (no inline style: the CSP forbids it). */
export const CONSOLE_CSS = `
:root { --fg: #1b1f24; --muted: #5b6570; --line: #d6dbe1; --bg: #f6f8fa; --accent: #0b5cad; --bad: #b42318; --ok: #1a7f37; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus { outline: 3px solid #f2b600; outline-offset: 1px; }
header.top { display: flex; align-items: center; gap: 1.5rem; padding: .5rem 1.25rem; background: #10263d; color: #fff; flex-wrap: wrap; }
header.top a { color: #fff; text-decoration: none; }
header.top .brand { font-weight: 700; letter-spacing: .02em; }
header.top nav { display: flex; gap: 1rem; flex-wrap: wrap; }
header.top nav a[aria-current="page"] { text-decoration: underline; text-underline-offset: 4px; }
header.top .who { margin-left: auto; display: flex; gap: .75rem; align-items: center; }
header.top form { margin: 0; }
header.top .badge { color: #10263d; }
header.top button { background: transparent; color: #fff; border: 1px solid #fff6; border-radius: 4px; padding: .2rem .6rem; cursor: pointer; }
main { padding: 1rem 1.25rem 3rem; max-width: 1400px; }
h1 { font-size: 1.35rem; margin: .25rem 0 1rem; }
h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; margin: .25rem 0 1rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); font-weight: 600; white-space: nowrap; }
td code, pre { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { background: var(--bg); border: 1px solid var(--line); padding: .75rem; overflow: auto; max-height: 32rem; white-space: pre-wrap; word-break: break-all; }
.muted { color: var(--muted); }
.badge { display: inline-block; padding: 0 .4rem; border-radius: 3px; font-size: 12px; border: 1px solid var(--line); background: var(--bg); }
.badge.final { border-color: var(--ok); color: var(--ok); }
.badge.bad { border-color: var(--bad); color: var(--bad); }
.badge.warn { border-color: var(--warn); color: var(--warn); }
button.link { background: none; border: none; color: var(--accent); text-decoration: underline; padding: 0; font: inherit; cursor: pointer; }
form#personal-data { margin: .25rem 0 1rem; }
form.notice button { margin-left: .5rem; padding: .15rem .6rem; }
form.search { display: flex; gap: .5rem; margin-bottom: 1rem; }
form.search input[type=search] { flex: 1; max-width: 40rem; padding: .45rem .6rem; font-size: 15px; border: 1px solid #8c959f; border-radius: 4px; }
button, .button { padding: .45rem .9rem; border-radius: 4px; border: 1px solid #0a4d91; background: var(--accent); color: #fff; font-size: 14px; cursor: pointer; text-decoration: none; }
.login { max-width: 22rem; margin: 4rem auto; padding: 1.5rem; border: 1px solid var(--line); border-radius: 6px; }
.login label { display: block; margin: .75rem 0 .25rem; font-weight: 600; }
.login input { width: 100%; padding: .45rem .6rem; font-size: 15px; border: 1px solid #8c959f; border-radius: 4px; }
.login button { margin-top: 1rem; width: 100%; }
.notice { padding: .6rem .8rem; border-radius: 4px; border: 1px solid var(--line); background: var(--bg); margin: .5rem 0 1rem; }
.notice.error { border-color: var(--bad); color: var(--bad); background: #fff5f5; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); gap: .75rem; margin-bottom: 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; }
.card h3 { margin: 0 0 .3rem; font-size: .95rem; word-break: break-all; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .9rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; word-break: break-all; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: .5rem; background: #fff; color: var(--fg); padding: .3rem .6rem; z-index: 2; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
svg.sparkline { vertical-align: middle; color: var(--accent); }
form.inline { display: inline; margin-left: .5rem; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin: .5rem 0 1rem; }
`;
