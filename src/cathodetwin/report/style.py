"""Style sheet of the single-twin report (system fonts only, no external resources)."""

CSS = """
:root { --ink: #1d232b; --muted: #5b6573; --line: #dde2e8; --bg: #f5f7fa; --accent: #2a5a9c; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans",
       sans-serif; color: var(--ink); background: var(--bg); }
header { background: #17324f; color: #fff; padding: 22px 40px 0; }
header .brand { font-size: 12px; letter-spacing: .08em; text-transform: uppercase; opacity: .75; }
header h1 { margin: 4px 0 6px; font-size: 26px; font-weight: 600; }
header .meta { font-size: 12.5px; opacity: .85; }
header code { background: rgba(255,255,255,.12); color: #fff; }
nav { margin-top: 14px; display: flex; flex-wrap: wrap; gap: 2px; }
nav a { color: #dbe7f5; text-decoration: none; padding: 8px 14px; font-size: 13px;
        border-bottom: 3px solid transparent; }
nav a:hover { border-bottom-color: #7fb2e5; color: #fff; }
main { max-width: 1280px; margin: 0 auto; padding: 8px 32px 32px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px;
          padding: 6px 24px 20px; margin: 22px 0; }
h2 { font-size: 19px; font-weight: 600; margin: 16px 0 12px; color: #17324f;
     border-bottom: 2px solid var(--line); padding-bottom: 6px; }
h3 { font-size: 14px; font-weight: 600; margin: 0 0 6px; }
code { font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, monospace; background: #eef1f5;
       padding: 1px 4px; border-radius: 3px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 6px;
        padding: 10px 14px; background: #fbfcfe; }
.card .label { font-size: 12px; color: var(--muted); }
.card .value { font-size: 22px; font-weight: 600; }
.card .unit { font-size: 13px; font-weight: 400; color: var(--muted); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 18px;
        margin: 12px 0; }
.panel { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 12px;
         background: #fff; }
.panel.wide { grid-column: 1 / -1; }
.panel img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { font-size: 12.5px; color: var(--muted); margin-top: 6px; }
.missing { background: #fafafa; border-style: dashed; }
.missing .note { color: var(--muted); font-style: italic; }
.failed .note { color: #a4262c; }
.missing-stage { background: #fff6e5; border: 1px solid #f3d9a4; border-radius: 6px;
                 padding: 8px 12px; }
ul.legend { list-style: none; padding: 0; margin: 6px 0 0; display: flex; flex-wrap: wrap;
            gap: 4px 16px; font-size: 12.5px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 50%;
          margin-right: 6px; vertical-align: -1px; border: 1px solid rgba(0,0,0,.3); }
table { border-collapse: collapse; font-size: 12.5px; margin: 10px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left;
         vertical-align: top; }
thead th { background: #eef2f7; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.series-cell { white-space: normal; max-width: 640px; }
.series { font-variant-numeric: tabular-nums; word-break: break-word; }
td.unit, span.unit { color: var(--muted); }
table.metrics th[scope=row] { font-weight: 400; }
table.recipe, table.rates { width: 100%; }
details.numbers { margin: 10px 0; }
details.numbers > summary { cursor: pointer; color: var(--accent); font-weight: 500; }
ul.problems li { color: #8a5a00; }
footer { max-width: 1280px; margin: 0 auto 30px; padding: 0 32px; font-size: 12px;
         color: var(--muted); }
.viewer3d canvas { display: block; width: 100%; height: 600px; border: 1px solid var(--line);
                   border-radius: 4px; background: #fff; cursor: grab; touch-action: none; }
.viewer-controls { display: flex; flex-wrap: wrap; gap: 14px; align-items: center;
                   font-size: 13px; margin-bottom: 8px; }
.explain { font-size: 13px; color: var(--ink); background: #eef4fb; border: 1px solid #cfe0f3;
           border-radius: 6px; padding: 8px 12px; }
ul.explain { padding-left: 28px; }
"""
