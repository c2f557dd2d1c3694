"""The report opens in headless Chromium with no errors, no broken images, no network use."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from test_report_html import EXPECTED_FIGURES

CHROMIUM = Path("/usr/bin/chromium")
TIMEOUT_S = 90
# Injected into a copy of the page: records script/resource errors and console.error calls,
# then, on load, writes the image and resource census into the DOM for --dump-dom.
PROBE = """<script>
window.__ct = [];
window.addEventListener("error", (e) => window.__ct.push(
  e.message || ("resource failed: " + ((e.target && (e.target.src || e.target.href)) || "?"))),
  true);
const consoleError = console.error;
console.error = (...args) => { window.__ct.push(args.join(" ")); consoleError(...args); };
window.addEventListener("load", () => {
  const imgs = Array.from(document.images);
  const out = document.createElement("pre");
  out.id = "ct-check";
  out.textContent = JSON.stringify({
    images: imgs.length,
    broken: imgs.filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.alt),
    errors: window.__ct,
    resources: performance.getEntriesByType("resource").map((r) => r.name),
  });
  document.body.appendChild(out);
});
</script>"""

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian chromium is not installed at /usr/bin/chromium (apt-get install chromium)",
)


def chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    """Run headless Chromium with networking, sync and GPU off."""
    return subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND",
         f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
    )


def test_report_loads_without_errors_or_missing_images(report_path: Path,
                                                       tmp_path: Path) -> None:
    page = report_path.read_text(encoding="utf-8")
    assert page.count("<head>") == 1
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    out = chromium(["--virtual-time-budget=10000", "--dump-dom", probed.as_uri()],
                   tmp_path / "profile")
    found = re.search(r'<pre id="ct-check">(.*?)</pre>', out.stdout, re.S)
    assert found, f"no probe result; chromium rc={out.returncode}: {out.stderr[-2000:]}"
    census = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert census["images"] == EXPECTED_FIGURES
    assert census["broken"] == []
    assert census["errors"] == []
    assert census["resources"] == []  # nothing fetched: every image is inline


# Reads the interactive 3D view back: the WebGL canvas copied into a 2D canvas, its non-white
# pixels counted; the viewer's own state (frames drawn, layers) and any script error.
VIEW_PROBE = """<script>
window.__ct = [];
window.addEventListener("error", (e) => window.__ct.push(e.message || "resource failed"), true);
const consoleError = console.error;
console.error = (...args) => { window.__ct.push(args.join(" ")); consoleError(...args); };
window.addEventListener("load", () => setTimeout(() => {
  const view = document.getElementById("ct-view");
  let ink = -1, pixels = 0;
  if (view) {
    const copy = document.createElement("canvas");
    copy.width = view.width; copy.height = view.height;
    const g = copy.getContext("2d");
    g.drawImage(view, 0, 0);
    const px = g.getImageData(0, 0, copy.width, copy.height).data;
    pixels = px.length / 4; ink = 0;
    for (let i = 0; i < px.length; i += 4) if (Math.min(px[i], px[i + 1], px[i + 2]) < 235) ink++;
  }
  const out = document.createElement("pre");
  out.id = "ct-view-check";
  out.textContent = JSON.stringify({ink, pixels, viewer: window.__ctViewer || null,
                                    errors: window.__ct});
  document.body.appendChild(out);
}, 300));
</script>"""
# Software WebGL (SwiftShader) where there is no GPU, as on CI.
WEBGL_FLAGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader"]


def test_interactive_view_draws_without_errors(report_path: Path, tmp_path: Path) -> None:
    page = report_path.read_text(encoding="utf-8")
    probed = tmp_path / "view.html"
    probed.write_text(page.replace("<head>", "<head>" + VIEW_PROBE, 1), encoding="utf-8")
    out = chromium([*WEBGL_FLAGS, "--virtual-time-budget=10000", "--dump-dom", probed.as_uri()],
                   tmp_path / "profile")
    found = re.search(r'<pre id="ct-view-check">(.*?)</pre>', out.stdout, re.S)
    assert found, f"no probe result; chromium rc={out.returncode}: {out.stderr[-2000:]}"
    census = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert census["errors"] == []
    assert census["viewer"]["error"] is None and census["viewer"]["frames"] >= 1
    assert "particles" in census["viewer"]["layers"]
    assert 0.02 * census["pixels"] < census["ink"] < census["pixels"]  # it drew the twin
