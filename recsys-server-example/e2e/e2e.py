#!/usr/bin/env python3
"""Browser end-to-end test of the movie app in headless Chromium (W3C WebDriver through
chromedriver, Python standard library only), against a running server.

    python3 e2e.py --url http://127.0.0.1:8013 --out target/e2e-screenshots

Signs up a fresh user, answers the onboarding quiz (For You then gives favourite-based
reasons), rates five movies, checks that For You appears with reasons and
changes, adds and removes a watchlist entry, searches with filters, and saves screenshots of
Home, Movie, Search, Watchlist, Onboarding, Profile, History and a person at desktop (1280x900)
and phone (390x844) width. Then, as
the staff account `demo` (RECSYS_DEMO_ACCOUNT=1): a list created and filled, the admin page
and a movie edit; and as an anonymous visitor: ratings kept in the browser, For You computed
by recsys-wasm, and their import on sign-up (screenshots of Lists, List, Admin and the
anonymous home too).
"""
import argparse
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

SPOT = "element-6066-11e4-a52e-4f735466cecf"


class Driver:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        caps = {
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-gpu",
                            "--disable-dev-shm-usage", "--no-first-run",
                            f"--user-data-dir={tempfile.mkdtemp()}",
                        ]
                    },
                }
            }
        }
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["value"] if method != "DELETE" else None

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def go(self, url):
        self.s("POST", "/url", {"url": url})

    def size(self, width, height):
        self.s("POST", "/window/rect", {"width": width, "height": height})

    def find(self, css):
        return self.s("POST", "/element", {"using": "css selector", "value": css})[SPOT]

    def find_all(self, css):
        return [e[SPOT] for e in self.s("POST", "/elements", {"using": "css selector", "value": css})]

    def type(self, css, text):
        self.s("POST", f"/element/{self.find(css)}/value", {"text": text})

    def click(self, css):
        self.s("POST", f"/element/{self.find(css)}/click", {})

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def text(self, css):
        return self.s("GET", f"/element/{self.find(css)}/text")

    def wait(self, condition, what, timeout=15):
        end = time.time() + timeout
        while time.time() < end:
            try:
                if condition():
                    return
            except Exception:  # noqa: BLE001 - the page may be loading
                pass
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}")

    def screenshot(self, path):
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.s("GET", "/screenshot")))
        print("screenshot:", path)

    def quit(self):
        self.call("DELETE", f"/session/{self.session}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="target/e2e-screenshots")
    args = parser.parse_args()
    url = args.url.rstrip("/")
    os.makedirs(args.out, exist_ok=True)
    port = free_port()
    chromedriver = subprocess.Popen(
        ["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        d = Driver(port)
        try:
            run(d, url, args.out)
        finally:
            d.quit()
    finally:
        chromedriver.terminate()
        chromedriver.wait()
    print("e2e: all checks passed")


def shots(d, name, out):
    d.size(1280, 900)
    time.sleep(0.3)
    d.screenshot(os.path.join(out, f"{name}-desktop.png"))
    d.size(390, 844)
    time.sleep(0.3)
    d.screenshot(os.path.join(out, f"{name}-phone.png"))
    d.size(1280, 900)


def for_you_ids(d):
    return d.js(
        "const h = [...document.querySelectorAll('section.row')].find(s => s.querySelector('h2').textContent === 'For You');"
        "return h ? [...h.querySelectorAll('a.card')].map(a => a.getAttribute('href')) : [];"
    )


def onboarding(d, out):
    """Sign-up lands on the taste quiz: Sci-Fi gets 3 stars, one person 2; For You then
    starts from them and says so."""
    d.wait(lambda: d.js("return location.pathname") == "/onboarding", "onboarding quiz after sign-up")
    d.click(".pick[data-value='Sci-Fi'] button[data-w='3']")
    d.click(".pick[data-kind='person'] button[data-w='2']")
    assert d.js("return document.querySelector(\".pick[data-value='Sci-Fi']\").dataset.weight") == "3"
    assert len(d.find_all(".pick.picked")) == 2
    d.js("window.scrollTo(0, 0)")
    shots(d, "onboarding", out)
    d.click("form[data-quiz] button[type=submit]")
    d.wait(lambda: d.js("return location.pathname") == "/" and "Log out" in d.text("header"), "home after the quiz")
    reasons = d.js(
        "const h = [...document.querySelectorAll('section.row')].find(s => s.querySelector('h2').textContent === 'For You');"
        "return h ? [...h.querySelectorAll('small')].map(s => s.textContent) : [];"
    )
    assert any("Because you like Sci-Fi" in r for r in reasons), reasons
    rows = d.js("return [...document.querySelectorAll('section.row h2')].map(h => h.textContent)")
    assert "Trending now" in rows and "Popular of all time" in rows, rows


def profile_and_history(d, url, out):
    """Profile (edit the bio, the taste, the charts), rating history, a person and a tag."""
    d.go(f"{url}/movies/50")
    person = d.find_all(".chip.person")
    if person:
        d.click(".chip.person")
        d.wait(lambda: d.js("return location.pathname").startswith("/people/"), "person page")
        assert d.find_all(".grid a.card"), "the person's movies"
        shots(d, "person", out)
    d.go(f"{url}/profile")
    d.click(".edit-profile summary")
    d.js("document.querySelector('[data-profile-form] textarea').value = ''")
    d.type("[data-profile-form] textarea", "Space operas and noir, mostly.")
    d.click("[data-profile-form] button[type=submit]")
    d.wait(lambda: "Space operas" in d.text("[data-profile-bio]"), "bio saved")
    d.go(f"{url}/profile")
    assert "Space operas" in d.text("[data-profile-bio]")
    assert "Sci-Fi" in d.text(".chips"), d.text(".chips")
    assert d.find_all("svg.bars rect") and d.find_all("svg.columns rect"), "charts drawn"
    shots(d, "profile", out)
    d.go(f"{url}/profile/ratings")
    assert len(d.find_all(".history li")) == 5, d.text("main")
    shots(d, "history", out)


def run(d, url, out):
    user = f"e2e{int(time.time())}"
    d.size(1280, 900)
    # Sign up.
    d.go(f"{url}/signup")
    d.type("input[name=username]", user)
    d.type("input[name=password]", "password-e2e")
    d.click("form[data-auth] button[type=submit]")
    onboarding(d, out)
    before = for_you_ids(d)
    # Rate five movies found by search.
    for title in ["star wars", "empire strikes", "alien", "terminator", "raiders"]:
        d.go(f"{url}/search?q={title.replace(' ', '+')}")
        d.click(".grid a.card")
        d.wait(lambda: d.find_all("[data-rate='5']"), "movie page")
        d.click("[data-rate='5']")
        d.wait(lambda: "on" in d.js("return document.querySelector(\"[data-rate='5']\").className"), "rating saved")
    shots(d, "movie", out)
    why = d.text("details.why")
    assert "Why this movie?" in why, why
    d.go(f"{url}/")
    after = for_you_ids(d)
    assert after and after != before, (before, after)
    reasons = d.js("return [...document.querySelectorAll('section.row:first-of-type small')].map(s => s.textContent)")
    assert any("liked" in r for r in reasons), reasons
    assert "Because you liked" in d.text("main")
    shots(d, "home", out)
    # Watchlist add and remove.
    first = after[0]
    d.go(f"{url}{first}")
    d.click("[data-watchlist]")
    d.wait(lambda: "On watchlist" in d.text("[data-watchlist]"), "added to watchlist")
    d.go(f"{url}/watchlist")
    assert len(d.find_all(".grid a.card")) == 1
    shots(d, "watchlist", out)
    d.go(f"{url}{first}")
    d.click("[data-watchlist]")
    d.wait(lambda: "+ Watchlist" in d.text("[data-watchlist]"), "removed from watchlist")
    d.go(f"{url}/watchlist")
    assert not d.find_all(".grid a.card")
    # Search with filters.
    d.go(f"{url}/search?genre=Film-Noir&year_from=1940&year_to=1960&sort=rating")
    count = d.text(".count")
    assert count.endswith("movies") and not count.startswith("0 "), count
    shots(d, "search", out)
    profile_and_history(d, url, out)
    # Log out.
    d.go(f"{url}/")
    d.click("[data-logout]")
    d.wait(lambda: "Log in" in d.text("header"), "logged out")
    d.go(f"{url}/")
    shots(d, "home-anonymous", out)
    lists_and_admin(d, url, out)
    anonymous_in_browser(d, url, out)


def log_in(d, url, username, password):
    d.go(f"{url}/login")
    d.type("input[name=username]", username)
    d.type("input[name=password]", password)
    d.click("form[data-auth] button[type=submit]")
    d.wait(lambda: "Log out" in d.text("header"), f"{username} signed in")


def lists_and_admin(d, url, out):
    """A list created, a movie added by search, the list filled from the suggestions; an
    admin edit of a movie that search sees at once (demo is staff: RECSYS_DEMO_ACCOUNT=1)."""
    log_in(d, url, "demo", "demo-password")
    d.go(f"{url}/lists")
    d.type("form[data-new-list] input[name=name]", "Space operas")
    d.type("form[data-new-list] input[name=description]", "Big ships, bigger feelings")
    d.click("form[data-new-list] input[name=is_public]")
    d.click("form[data-new-list] button[type=submit]")
    d.wait(lambda: d.js("return location.pathname").startswith("/lists/"), "list page")
    d.type("form[data-add-search] input[name=q]", "return of the jedi")
    d.click("form[data-add-search] button[type=submit]")
    d.wait(lambda: d.find_all("[data-search-results] button[data-add]"), "search results")
    d.click("[data-search-results] button[data-add]")
    d.wait(lambda: len(d.find_all("[data-items] .tile")) == 1, "movie added")
    fill = d.js("return [...document.querySelectorAll('[data-fill] a.card strong')].map(e => e.textContent)")
    assert len(fill) >= 6, fill
    d.click("[data-fill] button[data-add]")
    d.wait(lambda: len(d.find_all("[data-items] .tile")) == 2, "suggestion added")
    assert fill[0] in d.text("[data-items]"), (fill[0], d.text("[data-items]"))
    d.js("window.scrollTo(0, 0)")
    shots(d, "list", out)
    d.go(f"{url}/lists")
    assert "Space operas" in d.text(".lists"), d.text(".lists")
    shots(d, "lists", out)
    # Admin: model status with validation, then edit a movie.
    d.go(f"{url}/admin")
    assert "Validation of the last training" in d.text("main")
    assert d.find_all("table.metrics tr"), "validation metrics shown"
    shots(d, "admin", out)
    d.type("form[data-find-movie] input[name=q]", "toy story")
    d.click("form[data-find-movie] button[type=submit]")
    d.wait(lambda: d.find_all("[data-movie-results] a"), "admin search")
    d.click("[data-movie-results] a")
    d.wait(lambda: d.find_all("form[data-edit-movie]"), "movie editor")
    title = d.find("form[data-edit-movie] input[name=title]")
    d.s("POST", f"/element/{title}/clear", {})
    d.type("form[data-edit-movie] input[name=title]", "Toy Story (e2e edit)")
    tags = d.find("form[data-edit-movie] input[name=tags]")
    d.s("POST", f"/element/{tags}/clear", {})
    d.type("form[data-edit-movie] input[name=tags]", "e2e-tag")
    d.click("form[data-edit-movie] button[type=submit]")
    d.wait(lambda: "Saved" in d.js("return document.getElementById('toast').textContent"), "movie saved")
    time.sleep(2.5)  # the toast fades
    d.js("window.scrollTo(0, 0)")
    shots(d, "admin-movie", out)
    d.go(f"{url}/search?q=e2e+edit")
    assert "Toy Story (e2e edit)" in d.text(".grid"), d.text("main")
    d.go(f"{url}/")
    d.click("[data-logout]")
    d.wait(lambda: "Log in" in d.text("header"), "logged out")


def anonymous_in_browser(d, url, out):
    """Anonymous ratings kept in the browser give a For You computed by recsys-wasm; signing
    up imports them into the account."""
    d.go(f"{url}/")
    d.js("localStorage.clear()")
    titles = ["star wars", "empire strikes", "raiders"]
    for title in titles:
        d.go(f"{url}/search?q={title.replace(' ', '+')}")
        d.click(".grid a.card")
        d.wait(lambda: d.find_all("[data-anon-rate='5']"), "anonymous stars")
        d.click("[data-anon-rate='5']")
    time.sleep(2.5)  # the toast fades
    d.js("document.querySelector('.anon-rate').scrollIntoView({block: 'center'})")
    shots(d, "movie-anonymous", out)
    d.go(f"{url}/")
    d.wait(lambda: len(d.find_all("#browser-for-you a.card")) >= 6, "in-browser For You", timeout=40)
    reasons = d.js("return [...document.querySelectorAll('#browser-for-you small')].map(s => s.textContent)")
    assert any(reasons), reasons
    shots(d, "home-anonymous-wasm", out)
    user = f"anon{int(time.time())}"
    d.go(f"{url}/signup")
    d.type("input[name=username]", user)
    d.type("input[name=password]", "password-e2e")
    d.click("form[data-auth] button[type=submit]")
    d.wait(lambda: d.js("return document.documentElement.dataset.importedRatings") == "3", "ratings imported")
    ratings = d.s("POST", "/execute/async", {
        "script": "const done = arguments[0]; fetch('/api/ratings').then(r => r.json()).then(j => done(j));",
        "args": [],
    })
    items = ratings.get("items") or ratings.get("ratings") or []
    assert len(items) == 3, ratings
    assert d.js("return localStorage.getItem('recsys.anonRatings')") is None
    assert not d.find_all("#browser-for-you"), "signed in: the server's For You"


if __name__ == "__main__":
    sys.exit(main())
