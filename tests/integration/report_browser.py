"""Open a report.html in headless Chromium (Debian's ``chromium`` package) and read back its layout.

The page itself carries no script. A copy gets one inline script that writes each timeline bar's
rendered left offset and width (``getBoundingClientRect``) and its track's width into data attributes;
``chromium --headless --dump-dom`` prints the DOM after that script ran, and the test reads it.
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

MEASURE = """<script>
for (const bar of document.querySelectorAll('.bar')) {
  const box = bar.getBoundingClientRect(), track = bar.parentElement.getBoundingClientRect();
  bar.dataset.measuredLeft = box.left - track.left;
  bar.dataset.measuredWidth = box.width;
  bar.dataset.trackWidth = track.width;
}
document.body.dataset.measured = 'yes';
</script>"""
PROBE = "data:text/html,<p id=probe>rendered</p>"


def chromium_command():
    """(argv prefix, None) for a working headless Chromium, or (None, why there is none)."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if not path:
            continue
        argv = [path, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
        try:
            proc = subprocess.run([*argv, "--dump-dom", PROBE], capture_output=True, text=True, timeout=120,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, "%s does not run: %s" % (path, exc)
        if 'id="probe"' in proc.stdout:
            return argv, None
        # Ubuntu's chromium-browser deb is a stub that asks for the snap
        return None, "%s is a stub, not a browser (%s)" % (path, (proc.stderr or proc.stdout).strip()[-160:])
    return None, "no chromium on this machine (scripts/setup.sh installs Debian's chromium package)"


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.bars, self.body, self.table = [], [], {}, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "body":
            self.body = attrs
        elif tag == "table" and "targets" in classes:
            self.table = attrs
        elif tag == "tr" and "target" in classes:
            self.rows.append(attrs["data-target"])
        elif tag == "div" and "bar" in classes:
            self.bars.append(dict(attrs, target=self.rows[-1]))


def measured_layout(html_path: Path, work: Path, argv, width=1400):
    """(target names in row order, measured bars, total seconds) of the page as Chromium lays it out."""
    copy = work / ("measured-" + html_path.name)
    copy.write_text(html_path.read_text().replace("</body>", MEASURE + "</body>"))
    proc = subprocess.run([*argv, "--window-size=%d,900" % width, "--dump-dom", copy.as_uri()],
                          capture_output=True, text=True, timeout=120, check=True)
    page = _Collector()
    page.feed(proc.stdout)
    assert page.body.get("data-measured") == "yes", "the measuring script did not run:\n" + proc.stderr[-2000:]
    return page.rows, page.bars, float(page.table["data-total-seconds"])


def screenshot(html_path: Path, png: Path, argv, width=1400, height=900):
    subprocess.run([*argv, "--window-size=%d,%d" % (width, height), "--screenshot=%s" % png, html_path.as_uri()],
                   capture_output=True, text=True, timeout=120, check=True)
    return png
