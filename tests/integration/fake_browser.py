"""A stand-in for the person at the browser during the authorization-code sign-in (the emulator's sign-in page).

Started by Python's ``webbrowser`` through ``BROWSER``; it returns at once (the real browser does not block
msal), then in the background opens the sign-in page, posts the account's credentials and follows the
redirect back to msal's listener on http://localhost, as a browser would.
"""

from __future__ import annotations

import html
import os
import re
import sys

import requests


def main(url):
    if os.fork():
        return  # the "browser" was launched
    session = requests.Session()
    session.trust_env = False
    verify = os.environ["FAKE_BROWSER_CA"]
    session.get(url, verify=verify, timeout=60).raise_for_status()
    posted = session.post(url, data={"username": os.environ["FAKE_BROWSER_USER"],
                                     "password": os.environ["FAKE_BROWSER_PASSWORD"]},
                          verify=verify, allow_redirects=False, timeout=60)
    posted.raise_for_status()
    # response_mode=form_post: the page posts code and state to the app's http://localhost listener
    action = re.search(r'action="([^"]+)"', posted.text).group(1)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', posted.text))
    session.post(html.unescape(action), data={k: html.unescape(v) for k, v in fields.items()}, timeout=60)
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1])
