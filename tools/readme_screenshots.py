"""Take the README's two screenshots (``docs/img/page.png``, ``docs/img/console.png``) from a live service.

``python -m tools.readme_screenshots`` starts a fresh local service exactly as ``make run`` does (offline
generator, its own data directory, free ports), submits the documented example through the page as a
person would, waits for the report, then opens that job in the console. Chromium comes from the
operating system's packages (as for the browser tests); nothing is downloaded.
Run it after a change to the page, the console or the workflow, and commit the PNGs.
"""

from __future__ import annotations

import argparse
import sys
import urllib.parse
from pathlib import Path

from tests.browser.conftest import chromium_path
from tests.browser.test_pages import fill_application, wait_for_terminal
from tests.conftest import EXAMPLE_REQUEST, ROOT
from tests.fuzz.service import start_local_service

VIEWPORT = {"width": 900, "height": 935}


def take(out_dir: Path) -> None:
    """Write page.png and console.png of one completed job into ``out_dir``."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise SystemExit("no Chromium on PATH (apt-get install -y chromium) or in VPR_CHROMIUM")
    service, url = start_local_service()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(url + "/")
            fill_application(page, EXAMPLE_REQUEST)
            page.click("#submit")
            status = wait_for_terminal(page)
            if "COMPLETED" not in status:
                raise SystemExit(f"the example job did not complete: {status}")
            page.locator("#report h3").first.wait_for()
            page.mouse.wheel(0, -100_000)  # at the top, a box's y is its place in the page
            page.wait_for_timeout(300)
            top = (page.locator("#job").bounding_box() or {"y": 0})["y"]
            clip = {"x": 0, "y": max(top - 12, 0), **VIEWPORT}
            page.screenshot(path=str(out_dir / "page.png"), full_page=True, clip=clip)
            job_id = (page.text_content("#job-id") or "").strip()
            page.goto(f"{url}/console?job={urllib.parse.quote(job_id, safe='')}")
            page.wait_for_selector("svg.graph g.node")
            page.wait_for_selector("#events tbody tr")
            page.screenshot(path=str(out_dir / "console.png"))
            browser.close()
    finally:
        service.terminate()
        service.wait(timeout=30)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args(argv)
    take(args.out)
    print(f"wrote {args.out / 'page.png'} and {args.out / 'console.png'}", file=sys.stderr)


if __name__ == "__main__":
    main()
