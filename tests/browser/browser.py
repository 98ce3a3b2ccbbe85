# browser.py - one headless Chromium for a whole test run, and what the
# scenarios do with cdr-web's pages: open a page, keep its evidence, read
# the DOM by the ids and classes the pages promise (web/templates/, named
# for issue 15 before they were written), fill in and submit forms, and
# send the requests a browser would never send (http.client, with the
# browser's cookies).
#
# Debian's chromium and chromium-driver with python3-selenium, no download:
# /usr/bin/chromedriver starts /usr/bin/chromium with --headless=new; as
# root Chromium needs --no-sandbox. JavaScript is off (a content setting):
# the pages must work without it. Started once (about 1.5 s), shared by
# every scenario; a scenario that needs a browser without a session calls
# forget_session().
#
# Evidence: page(name) saves DIR/screens/NN-name.png (the whole page) and
# DIR/screens/NN-name.txt (the URL, the title and the text the page shows),
# numbered in the order taken.
#
# Assertions go on what a page shows (element.text, attributes, the
# browser's cookie jar), never on the HTML source.
import base64
import http.client
import os
import re
import ssl
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH = 1280


def gone(element):
    """ELEMENT's document has been replaced. (While a page is being left,
    chromedriver reports either a stale element or "Node with given id
    does not belong to the document".)"""
    try:
        element.tag_name
        return False
    except WebDriverException:
        return True


class Browser:
    def __init__(self, base_url, evidence_dir, profile_dir):
        self.base_url = base_url.rstrip("/")
        self.screens = os.path.join(evidence_dir, "screens")
        os.makedirs(self.screens, exist_ok=True)
        self.taken = 0
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--no-first-run",
                    "--disable-background-networking", "--disable-sync",
                    "--disable-extensions", "--disable-default-apps", "--no-proxy-server",
                    # the HTTPS case's certificate is self-signed
                    "--ignore-certificate-errors",
                    "--user-data-dir=" + profile_dir, "--lang=ja",
                    "--window-size=%d,900" % WIDTH):
            options.add_argument(arg)
        # JavaScript off for the whole run: the console must work without it
        # (issue 15), and every scenario then shows that it does
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2})
        service = Service(CHROMEDRIVER, log_path=os.path.join(evidence_dir, "chromedriver.log"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(30)

    def quit(self):
        self.driver.quit()

    # ---- navigation and evidence

    def url(self, path):
        return path if path.startswith("http") else self.base_url + path

    def open(self, path, name):
        """Load PATH (or a full URL) and keep its evidence under NAME."""
        self.driver.get(self.url(path))
        return self.page(name)

    def page(self, name):
        """Save the current page: screenshot and shown text; return the text."""
        self.taken += 1
        stem = os.path.join(self.screens, "%02d-%s" % (self.taken, re.sub(r"[^\w.-]+", "-", name)))
        text = self.body_text()
        with open(stem + ".txt", "w", encoding="utf-8") as f:
            f.write("URL: %s\nTitle: %s\n\n%s\n" % (self.current_path(), self.driver.title, text))
        # the whole page, however long: Chromium's own capture (DevTools),
        # no script in the page
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": max(size["width"], 1),
                     "height": min(max(size["height"], 1), 16000), "scale": 1}})
        with open(stem + ".png", "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        return text

    def body_text(self):
        found = self.driver.find_elements(By.TAG_NAME, "body")
        return found[0].text if found else ""

    def current_path(self):
        """The path (and query) of the page shown, without scheme and host."""
        u = urllib.parse.urlsplit(self.driver.current_url)
        return u.path + ("?" + u.query if u.query else "")

    def forget_session(self):
        self.driver.delete_all_cookies()

    # ---- reading the DOM

    def one(self, css, within=None):
        """The single element matching CSS; fails if there are none or several."""
        found = (within or self.driver).find_elements(By.CSS_SELECTOR, css)
        if len(found) != 1:
            raise AssertionError("%d elements match %r on %s" % (len(found), css,
                                                                  self.current_path()))
        return found[0]

    def all(self, css, within=None):
        return (within or self.driver).find_elements(By.CSS_SELECTOR, css)

    def text(self, css, within=None):
        return self.one(css, within).text

    def texts(self, css, within=None):
        return [e.text for e in self.all(css, within)]

    def error_page(self):
        """(heading, reason) of the contract's error page, or None."""
        if not self.all("h1#error"):
            return None
        reasons = self.texts("p#error-reason")
        return self.text("h1#error"), reasons[0] if reasons else ""

    def flashes(self, kind):
        """Texts of p.flash.ok or p.flash.error."""
        return self.texts("p.flash." + kind)

    def alert_shown(self):
        try:
            self.driver.switch_to.alert
            return True
        except NoAlertPresentException:
            return False

    def script_elements(self):
        return self.driver.find_elements(By.TAG_NAME, "script")

    # ---- forms

    def submit(self, form, fields=None, name=None):
        """Fill FIELDS (name -> value) of FORM, press its button, keep the result."""
        for field, value in (fields or {}).items():
            box = self.one("[name=%s]" % field, form)
            box.clear()
            box.send_keys(value)
        buttons = self.all("button, input[type=submit]", form)
        self.follow(buttons[0] if buttons else None, form)
        return self.page(name or "after-submit")

    def follow(self, element, form=None):
        """Click ELEMENT (or submit FORM) and wait until the next page is
        there: the old document gone, the new one loaded."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        if element is not None:
            element.click()
        else:
            form.submit()
        WebDriverWait(self.driver, 30).until(lambda d: gone(old))
        WebDriverWait(self.driver, 30).until(
            lambda d: d.find_elements(By.TAG_NAME, "body"))

    def hidden(self, form, field):
        return self.one("input[name=%s]" % field, form).get_attribute("value")

    def form_path(self, form):
        """The path a form posts to (its action, resolved by the browser)."""
        return urllib.parse.urlsplit(form.get_attribute("action")).path

    # ---- requests a browser would not make

    def cookie_header(self):
        return "; ".join("%s=%s" % (c["name"], c["value"]) for c in self.driver.get_cookies())

    def request(self, method, path, fields=None, cookies=True, headers=None, base=None):
        """Send one request to cdr-web (at BASE, default the base URL; an
        https one's certificate is not checked); returns (status, headers
        dict, body bytes)."""
        u = urllib.parse.urlsplit(base or self.base_url)
        if u.scheme == "https":
            conn = http.client.HTTPSConnection(u.hostname, u.port, timeout=30,
                                               context=ssl._create_unverified_context())
        else:
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        head = dict(headers or {})
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields).encode()
            head["Content-Type"] = "application/x-www-form-urlencoded"
        if cookies:
            head["Cookie"] = self.cookie_header()
        try:
            conn.request(method, path, body=body, headers=head)
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()
