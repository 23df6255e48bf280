"""The look: a Gradio theme with only bundled fonts (the page must work offline) and the CSS
of booth's own HTML (phases, gauge, cards, track cards), readable from phone to laptop width."""

from __future__ import annotations

import gradio as gr
from gradio.themes.utils.fonts import LocalFont


def theme() -> gr.themes.Base:
    """Gradio's default theme in booth's colours; its fonts ship inside the gradio package.

    Only the regular and bold faces are declared: the semibold file gradio ships is a small
    subset, and text set in it falls back letter by letter to another font. Asked for 600, the
    browser picks the bold face instead.
    """
    return gr.themes.Default(
        font=[
            LocalFont("Source Sans Pro", weights=(400, 700)),
            "ui-sans-serif",
            "system-ui",
            "sans-serif",
        ],
        font_mono=[LocalFont("IBM Plex Mono", weights=(400, 700)), "ui-monospace", "monospace"],
        primary_hue=gr.themes.colors.indigo,
        secondary_hue=gr.themes.colors.slate,
        neutral_hue=gr.themes.colors.slate,
        radius_size=gr.themes.sizes.radius_md,
    ).set(
        body_background_fill="#f6f7fb",
        block_border_width="1px",
        block_shadow="0 1px 2px rgba(15, 23, 42, .04)",
        button_primary_background_fill="*primary_600",
        button_primary_background_fill_hover="*primary_700",
    )


CSS = """
/* full width up to a readable maximum, whatever the content (Gradio shrinks to fit it) */
.gradio-container { width: 100% !important; max-width: 1180px !important;
  margin: 0 auto !important; }
.gradio-container > .main, .gradio-container .wrap.app, .gradio-container main.contain {
  width: 100% !important; max-width: 100% !important; }
footer { display: none !important; }
/* WCAG AA: readable hints, a focus ring that shows on every control, a selected tab in ink */
.gradio-container textarea::placeholder, .gradio-container input::placeholder {
  color: #556477 !important; opacity: 1 !important; }
.gradio-container button:focus-visible, .gradio-container textarea:focus-visible,
.gradio-container input:focus-visible, .gradio-container a:focus-visible,
.gradio-container [tabindex]:focus-visible {
  outline: 3px solid #1e1b4b !important; outline-offset: 2px !important; }
.gradio-container button[role="tab"][aria-selected="true"] { color: #4338ca !important; }
.gradio-container button[role="tab"] { color: #475569; }
.gradio-container .info-text, .gradio-container [data-testid="block-info"] + span {
  color: #556477 !important; }
/* a disabled control stays readable (AA contrast), and switches state at once (a fading
   transition would pass through unreadable colours) */
.gradio-container button { transition: none !important; }
.gradio-container button:disabled { opacity: 1 !important; background: #e2e8f0 !important;
  color: #334155 !important; border-color: #cbd5e1 !important; cursor: not-allowed; }
/* booth's HTML panels bring their own boxes: line them up with the other components */
.gradio-container .html-container { padding: 0 !important; }

/* header */
#booth-header { padding: 6px 2px 2px; }
#booth-header h1 { font-size: 1.55rem; margin: 0; letter-spacing: -.01em; }
#booth-header p { margin: 2px 0 0; color: #556477; font-size: .95rem; }

/* session badge and the row it sits in: on one line, the badge shrinks before the button */
.session-row { align-items: center !important; gap: 8px !important;
  flex-wrap: nowrap !important; }
.session-row > :first-child { flex: 1 1 auto !important; min-width: 0 !important; }
.session-row > button { flex: 0 0 auto !important; }
.session-badge { display: inline-flex; align-items: center; gap: 6px; font-size: .85rem;
  color: #475569; background: #fff; border: 1px solid #e2e8f0; border-radius: 999px;
  padding: 4px 12px; white-space: nowrap; max-width: 100%; box-sizing: border-box;
  overflow: hidden; text-overflow: ellipsis; }
.session-dot { flex: none; }
.session-badge code { font-size: .85rem; background: #eef2ff; color: #3730a3;
  padding: 0 6px; border-radius: 6px; }
.session-dot { width: 8px; height: 8px; border-radius: 50%; background: #22c55e; }
.session-dot.idle { background: #cbd5e1; }

/* notices */
.notice { border-radius: 10px; padding: 12px 14px; border: 1px solid; margin: 2px 0; }
.notice-title { font-weight: 600; }
.notice-body { margin-top: 2px; }
.notice-hint { margin-top: 6px; font-size: .9rem; opacity: .9; }
.notice-info { background: #eef2ff; border-color: #c7d2fe; color: #312e81; }
.notice-success { background: #ecfdf5; border-color: #a7f3d0; color: #065f46; }
.notice-warning { background: #fffbeb; border-color: #fde68a; color: #92400e; }
.notice-error { background: #fef2f2; border-color: #fecaca; color: #991b1b; }

/* the status line (a live region): queued, running, turned away, done */
.run-status { display: flex; align-items: center; flex-wrap: wrap; gap: 4px 8px;
  font-size: .92rem; border-radius: 10px; padding: 8px 12px; border: 1px solid #e2e8f0;
  background: #fff; color: #334155; }
.status-queued, .status-running { background: #eef2ff; border-color: #c7d2fe; color: #312e81; }
.status-turned_away { background: #fffbeb; border-color: #fde68a; color: #92400e; }
.status-done { background: #ecfdf5; border-color: #a7f3d0; color: #065f46; }
.status-failed { background: #fef2f2; border-color: #fecaca; color: #991b1b; }
.status-spinner { width: 14px; height: 14px; border-radius: 50%; flex: none;
  border: 2px solid currentColor; border-right-color: transparent;
  animation: booth-spin .8s linear infinite; }
.countdown b { font-variant-numeric: tabular-nums; }
.keys-hint { font-size: .8rem; color: #556477; margin: -4px 0 2px; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
@media (prefers-reduced-motion: reduce) {
  .status-spinner, .phase-active .phase-mark { animation: none; }
}

/* phase progress */
.phases { background: #fff; border: 1px solid #e2e8f0; border-radius: 12px; padding: 14px; }
.phases-head { display: flex; justify-content: space-between; font-weight: 600;
  color: #334155; margin-bottom: 8px; }
.progress { height: 6px; background: #e2e8f0; border-radius: 999px; overflow: hidden;
  margin-bottom: 10px; }
.progress span { display: block; height: 100%; background: #4f46e5;
  transition: width .25s ease; }
.phase-list { list-style: none; margin: 0; padding: 0; }
.phase { display: flex; gap: 10px; padding: 7px 0; border-top: 1px solid #f1f5f9; }
.phase:first-child { border-top: 0; }
.phase-mark { flex: none; width: 18px; height: 18px; margin-top: 2px; border-radius: 50%;
  border: 2px solid #cbd5e1; box-sizing: border-box; }
.phase-active .phase-mark { border-color: #4f46e5; border-right-color: transparent;
  animation: booth-spin .8s linear infinite; }
.phase-done .phase-mark { background: #4f46e5; border-color: #4f46e5; position: relative; }
.phase-done .phase-mark::after { content: ""; position: absolute; left: 5px; top: 2px;
  width: 4px; height: 8px; border: solid #fff; border-width: 0 2px 2px 0;
  transform: rotate(45deg); }
.phase-failed .phase-mark { background: #dc2626; border-color: #dc2626; }
.phase-skipped .phase-mark { border-style: dashed; }
.phase-skipped .phase-name { color: #556477; font-weight: 500; }
.phase-skipped .phase-detail { color: #556477; font-style: italic; }
.phase-name { font-weight: 600; color: #0f172a; font-size: .95rem; }
.phase-pending .phase-name { color: #556477; font-weight: 500; }
.phase-detail { color: #556477; font-size: .85rem; line-height: 1.35; }
.phase-attempt, .phase-ms { margin-left: 8px; font-weight: 500; font-size: .75rem;
  color: #556477; background: #f1f5f9; border-radius: 999px; padding: 1px 7px; }
.phase-text { flex: 1; min-width: 0; }
.phase-bar { display: block; height: 4px; margin-top: 4px; background: #f1f5f9;
  border-radius: 999px; overflow: hidden; }
.phase-bar span { display: block; height: 100%; min-width: 2px; background: #818cf8; }
@keyframes booth-spin { to { transform: rotate(360deg); } }

/* thoughts */
.thoughts { list-style: none; margin: 0; padding: 0; max-height: 360px; overflow-y: auto; }
.thoughts.empty { color: #556477; padding: 6px 2px; }
.thought { padding: 8px 4px; border-top: 1px solid #f1f5f9; }
.thought:first-child { border-top: 0; }
.thought-head { font-size: .78rem; color: #556477; }
.thought-kind { text-transform: uppercase; letter-spacing: .04em; font-weight: 600;
  color: #4f46e5; margin-right: 8px; }
.thought-observation .thought-kind { color: #0f766e; }
.thought-tool_call .thought-kind { color: #b45309; }
.thought-body { font-size: .9rem; color: #1e293b; white-space: pre-wrap;
  overflow-wrap: anywhere; }
.thought-more { color: #556477; font-size: .85rem; padding: 6px 4px; }

/* result */
.result-empty { color: #556477; background: #fff; border: 1px dashed #cbd5e1;
  border-radius: 12px; padding: 28px 18px; text-align: center; }
.fit-result { display: flex; flex-direction: column; gap: 14px; }
.gauge { background: #fff; border: 1px solid #e2e8f0; border-radius: 12px;
  padding: 14px 14px 12px; text-align: center; }
.gauge svg { width: 220px; max-width: 100%; display: block; margin: 0 auto; }
.gauge-track, .gauge-fill { fill: none; stroke-width: 9; stroke-linecap: round; }
.gauge-track { stroke: #e2e8f0; }
.gauge-fill { stroke: #4f46e5; }
.tier-high .gauge-fill { stroke: #16a34a; }
.tier-medium .gauge-fill { stroke: #d97706; }
.tier-low .gauge-fill { stroke: #dc2626; }
.gauge-score { font-size: 2.2rem; font-weight: 700; color: #0f172a; margin-top: -34px; }
.gauge-tier { font-weight: 600; color: #475569; text-transform: uppercase;
  letter-spacing: .05em; font-size: .8rem; }
.cards h3, .sources h3 { font-size: 1rem; margin: 0 0 8px; color: #0f172a; }
.card-list { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr));
  gap: 10px; }
.card { background: #fff; border: 1px solid #e2e8f0; border-radius: 10px; padding: 12px; }
.card h4 { margin: 0 0 4px; font-size: .95rem; color: #0f172a; }
.card p { margin: 0; color: #475569; font-size: .88rem; line-height: 1.4; }
.card-strength { border-left: 4px solid #16a34a; }
.card-gap { border-left: 4px solid #d97706; }
.ramp { display: inline-block; margin-top: 8px; font-size: .78rem; font-weight: 600;
  color: #92400e; background: #fef3c7; border-radius: 999px; padding: 2px 9px; }
.sources ol { margin: 0; padding-left: 20px; color: #334155; font-size: .88rem; }
.source-kind { color: #556477; margin-left: 6px; }
.source-kind::before { content: "· "; }
.fit-heading { font-size: 1.2rem; margin: 0; color: #0f172a; }
.fit-summary { color: #475569; font-size: .9rem; text-align: center; margin-top: -6px; }
.flags { display: flex; flex-wrap: wrap; gap: 6px; }
.flag { font-size: .78rem; background: #f1f5f9; color: #334155; border-radius: 999px;
  padding: 2px 9px; }
.duration { color: #556477; font-size: .85rem; text-align: right; }

/* music: chips */
.chip-row { gap: 6px !important; flex-wrap: wrap !important; }
.chip-row button { flex: 0 1 auto !important; min-width: 0 !important;
  border-radius: 999px !important; font-size: .85rem !important; padding: 4px 12px !important; }
.chip-label { font-size: .8rem; color: #556477; margin: 4px 0 0; }

/* music: track cards */
.tracks-empty { color: #556477; background: #fff; border: 1px dashed #cbd5e1;
  border-radius: 12px; padding: 28px 18px; text-align: center; }
.tracks-head { display: flex; justify-content: space-between; align-items: baseline;
  margin-bottom: 8px; color: #334155; font-weight: 600; flex-wrap: wrap; gap: 6px; }
.tracks-head small { font-weight: 500; color: #556477; }
.track-list { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr));
  gap: 10px; }
.track-card { background: #fff; border: 1px solid #e2e8f0; border-radius: 12px;
  padding: 12px 12px 10px; display: flex; flex-direction: column; gap: 6px; }
.track-title { font-weight: 700; color: #0f172a; font-size: 1rem; line-height: 1.25;
  overflow-wrap: anywhere; }
.track-artist { color: #4338ca; font-weight: 600; font-size: .9rem; }
.track-album { color: #556477; font-size: .82rem; }
.track-why { color: #334155; font-size: .86rem; margin: 0; line-height: 1.4; }
.confidence { display: flex; align-items: center; gap: 8px; font-size: .78rem;
  color: #475569; }
.confidence .bar { flex: 1; height: 5px; background: #e2e8f0; border-radius: 999px;
  overflow: hidden; }
.confidence .bar span { display: block; height: 100%; background: #4f46e5; }
.tags { display: flex; flex-wrap: wrap; gap: 4px; margin: 0; padding: 0; list-style: none; }
.tags li { font-size: .72rem; background: #f1f5f9; color: #334155; border-radius: 999px;
  padding: 1px 8px; }
.track-foot { display: flex; align-items: center; justify-content: space-between; gap: 6px;
  margin-top: auto; padding-top: 4px; border-top: 1px solid #f1f5f9; flex-wrap: wrap; }
.track-links { display: flex; gap: 10px; flex-wrap: wrap; font-size: .82rem; }
.track-links a { color: #4f46e5; text-decoration: none; }
.track-links a:hover { text-decoration: underline; }
.thumbs { display: flex; gap: 4px; }
.thumb { cursor: pointer; border: 1px solid #e2e8f0; background: #fff; border-radius: 8px;
  padding: 4px 8px; display: inline-flex; align-items: center; color: #475569; }
.thumb svg { width: 16px; height: 16px; fill: none; stroke: currentColor; stroke-width: 2;
  stroke-linecap: round; stroke-linejoin: round; }
.thumb:hover { background: #f8fafc; color: #1e293b; }
.thumb[data-feedback="up"][aria-pressed="true"] { background: #ecfdf5; border-color: #34d399;
  color: #047857; }
.thumb[data-feedback="down"][aria-pressed="true"] { background: #fef2f2; border-color: #f87171;
  color: #b91c1c; }
/* a thumbed-down card: greyed and dashed, its text still readable (contrast stays AA) */
.track-disliked { background: #f1f5f9; border-style: dashed; border-color: #94a3b8; }
.track-disliked > :not(.undo-row) { filter: grayscale(1); }
.track-disliked .track-title { text-decoration: line-through; color: #475569; }
.track-disliked .track-artist { color: #475569; }
.undo-row { display: flex; align-items: center; justify-content: space-between; gap: 8px;
  font-size: .82rem; color: #334155; background: #f1f5f9; border-radius: 8px;
  padding: 4px 8px; }
.undo { cursor: pointer; border: 1px solid #94a3b8; background: #fff; color: #1e293b;
  border-radius: 6px; padding: 2px 10px; font-weight: 600; }
.conversation { display: flex; flex-direction: column; gap: 10px; }
.earlier-head { font-size: .95rem; margin: 6px 0 0; color: #334155; }
.turn-earlier { background: #fff; border: 1px solid #e2e8f0; border-radius: 12px;
  padding: 8px 12px; }
.turn-earlier > summary { cursor: pointer; color: #334155; font-weight: 600; }
.turn-earlier[open] > summary { margin-bottom: 8px; }
.degraded { margin-bottom: 8px; }
.reasoning { margin: 0; padding-left: 18px; color: #475569; font-size: .86rem; }

@media (max-width: 640px) {
  #booth-header h1 { font-size: 1.3rem; }
  .gauge-score { font-size: 1.8rem; }
  .track-list, .card-list { grid-template-columns: 1fr; }
}
"""
