# -*- coding: utf-8 -*-
# Copyright: (c) 2026, d365fo.dataalm contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OData 4 ``$batch`` in the multipart/mixed format that F&O accepts.

F&O takes ``POST {environment}/data/$batch`` with ``Content-Type: multipart/mixed; boundary=batch_...``
holding one changeset (``multipart/mixed; boundary=changeset_...``) of ``application/http`` parts with
``Content-Transfer-Encoding: binary``, a ``Content-ID`` and an absolute request URL; the changeset is one
transaction, so a failing change rolls back its whole batch (OData 4.0 part 1 §11.7; d365fo.integrations
New-BatchContent builds the same shape). JSON batches (OData 4.01) are not used: F&O answers multipart.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import uuid

CRLF = "\r\n"


class BatchChange:
    """One request of a changeset; ``content_id`` ties its response back to it."""

    def __init__(self, method, url, body=None, headers=None, content_id=None):
        self.method = method.upper()
        self.url = url
        self.body = body
        self.headers = headers or {}
        self.content_id = content_id


class PartResponse:
    def __init__(self, content_id, status, body):
        self.content_id = content_id
        self.status = status
        self.body = body

    def json(self):
        try:
            return json.loads(self.body) if self.body else {}
        except ValueError:
            return {}


def build(changes):
    """(content type, body bytes) of a batch with all ``changes`` in one changeset."""
    batch = "batch_%s" % uuid.uuid4()
    changeset = "changeset_%s" % uuid.uuid4()
    lines = ["--" + batch, "Content-Type: multipart/mixed; boundary=" + changeset, ""]
    for number, change in enumerate(changes, start=1):
        change.content_id = change.content_id or str(number)
        lines += ["--" + changeset, "Content-Type: application/http", "Content-Transfer-Encoding: binary",
                  "Content-ID: %s" % change.content_id, "", "%s %s HTTP/1.1" % (change.method, change.url)]
        headers = dict(change.headers)
        if change.body is not None:
            headers.setdefault("Content-Type", "application/json; odata.metadata=minimal")
        lines += ["%s: %s" % item for item in headers.items()]
        lines += ["", json.dumps(change.body) if change.body is not None else ""]
    lines += ["--%s--" % changeset, "--%s--" % batch, ""]
    return "multipart/mixed; boundary=" + batch, CRLF.join(lines).encode("utf-8")


def parse(content_type, payload):
    """The part responses of a batch response, in order (changesets flattened)."""
    document = ("Content-Type: %s\r\n\r\n" % content_type).encode("latin-1") + payload
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(document)
    responses = []
    for part in message.walk():
        if part.get_content_type() != "application/http":
            continue
        raw = part.get_payload(decode=True) or b""
        responses.append(_http_part(part.get("Content-ID"), raw.decode("utf-8", "replace")))
    return responses


def _http_part(content_id, text):
    head, _sep, body = text.replace("\r\n", "\n").partition("\n\n")
    status_line = head.split("\n", 1)[0].split()
    status = int(status_line[1]) if len(status_line) > 1 and status_line[1].isdigit() else 0
    for line in head.split("\n")[1:]:
        name, _colon, value = line.partition(":")
        if name.strip().lower() == "content-id" and not content_id:
            content_id = value.strip()
    return PartResponse(content_id, status, body.strip())
