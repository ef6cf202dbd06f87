"""Take screenshots of the main pages in headless Chromium, for a person to look at.

    .venv/bin/python scripts/screenshots.py --base http://localhost:8000 --tenant demo \
        --email admin@demo.leadcrm.test --password ... --out .data/shots

Needs Debian's chromium (/usr/bin/chromium) and the `browser` extra (playwright, no download).
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://localhost:8000")
    parser.add_argument("--tenant", default="demo")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", default=".data/shots")
    parser.add_argument("--pages", nargs="*", default=["/", "/settings/users/", "/settings/teams/"])
    parser.add_argument("--lang", default="")
    parser.add_argument("--width", type=int, default=1360, help="390 for a phone")
    parser.add_argument("--screen", action="store_true", help="only the first screen, not the page")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scheme, host = args.base.split("://", 1)
    tenant_base = f"{scheme}://{args.tenant}.{host}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        phone = args.width < 600
        page = browser.new_page(
            viewport={"width": args.width, "height": 844 if phone else 860},
            is_mobile=phone,
            has_touch=phone,
        )
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{args.base}/")
        page.screenshot(path=out / "public-landing.png", full_page=True)
        page.goto(f"{args.base}/signup/")
        page.screenshot(path=out / "public-signup.png", full_page=True)
        page.goto(f"{tenant_base}/accounts/login/")
        page.screenshot(path=out / "login.png", full_page=True)
        page.fill("input[name=username]", args.email)
        page.fill("input[name=password]", args.password)
        page.click("button[type=submit].btn-primary")
        page.wait_for_load_state("networkidle")
        if args.lang:
            page.click(f"button[name=language][value={args.lang}]")
            page.wait_for_load_state("networkidle")
        for path in args.pages:
            page.goto(f"{tenant_base}{path}")
            name = path.strip("/").replace("/", "-") or "home"
            page.screenshot(
                path=out / f"{name}{'-' + args.lang if args.lang else ''}-{args.width}.png",
                full_page=not args.screen,
            )
        browser.close()
    print(f"screenshots in {out}")
    for error in errors:
        print("console error:", error)


if __name__ == "__main__":
    main()
