"""Data management executions in virtual time, data packages, and the blob storage they travel through.

An execution is NotRun for its first seconds, then Executing, then ends with its outcome. Its effects
(the package of an export, the rows of an import) happen once, when a request first sees it ended.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import io
import secrets
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field

from .entities import BY_DMF_NAME, Entity

NOT_RUN_SECONDS = 5
PACKAGE_RETENTION = dt.timedelta(days=7)


@dataclass
class Blob:
    name: str
    created: dt.datetime
    data: bytes | None = None  # None until uploaded


@dataclass
class EntityResult:
    entity: str
    staging_status: str = "NotStarted"
    target_status: str = "NotStarted"
    created: int = 0
    updated: int = 0
    errors: list = field(default_factory=list)
    keys_requested: bool = False
    keys_asks: int = 0


@dataclass
class Execution:
    id: str
    kind: str  # export | import
    group: str
    legal_entity: str
    created: dt.datetime
    duration: float
    entities: list
    outcome: str = "Succeeded"  # forced by a fault, or decided by the import's rows
    package_blob: str | None = None
    applied: bool = False
    errors: list = field(default_factory=list)
    results: dict = field(default_factory=dict)

    def ends_at(self):
        return self.created + dt.timedelta(seconds=self.duration)

    def status(self, now):
        if now < self.created + dt.timedelta(seconds=NOT_RUN_SECONDS):
            return "NotRun"
        if now < self.ends_at():
            return "Executing"
        return self.outcome

    def job_rows(self, now):
        running = self.status(now) in ("NotRun", "Executing")
        rows = []
        for name in self.entities:
            result = self.results.get(name) or EntityResult(name)
            rows.append({"DefinitionGroupId": self.group, "JobId": self.id, "EntityName": name,
                         "StagingStatus": "Executing" if running else result.staging_status,
                         "TargetStatus": "Waiting" if running else result.target_status,
                         "TargetRecordsCreatedCount": result.created, "TargetRecordsUpdatedCount": result.updated})
        return rows


class Signer:
    """SAS-like signatures (``se`` expiry, ``sp`` permission, HMAC ``sig``) for the package container."""

    def __init__(self):
        self.key = secrets.token_bytes(32)

    def sign(self, name, expiry, permission):
        message = f"{name}\n{expiry}\n{permission}".encode()
        return base64.b64encode(hmac.new(self.key, message, hashlib.sha256).digest()).decode("ascii")

    def url(self, base_url, name, now, lifetime, permission):
        from urllib.parse import quote, urlencode

        expiry = (now + dt.timedelta(seconds=lifetime)).strftime("%Y-%m-%dT%H:%M:%SZ")
        query = urlencode({"sv": "2020-10-02", "sr": "b", "se": expiry, "sp": permission,
                           "sig": self.sign(name, expiry, permission)})
        return f"{base_url}/_blobs/dmf/{quote(name)}?{query}"


def build_package(group: str, tables: dict[str, list[dict]]) -> bytes:
    """A data package: Manifest.xml, PackageHeader.xml and one XML-Element file per entity."""
    buffer = io.BytesIO()
    manifest = ET.Element("DataManagementPackageManifest", DefinitionGroupName=group)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for dmf_name, rows in tables.items():
            entity = BY_DMF_NAME[dmf_name]
            document = ET.Element("Document")
            for row in rows:
                element = ET.SubElement(document, entity.set_name.upper())
                for f in entity.fields:
                    if not f.write_only and f.name in row:
                        ET.SubElement(element, f.name).text = _text(row.get(f.name))
            file_name = f"{dmf_name}.xml"
            archive.writestr(file_name, ET.tostring(document, encoding="utf-8", xml_declaration=True))
            ET.SubElement(manifest, "Entity", Name=dmf_name, File=file_name)
        archive.writestr("Manifest.xml", ET.tostring(manifest, encoding="utf-8", xml_declaration=True))
        archive.writestr("PackageHeader.xml", b'<?xml version="1.0" encoding="utf-8"?><PackageHeader/>')
    return buffer.getvalue()


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def read_package(data: bytes) -> dict[str, list[dict]]:
    """Rows per data management entity name; ValueError when the zip is not a data package."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            manifest = ET.fromstring(archive.read("Manifest.xml"))
            tables = {}
            for item in manifest.findall("Entity"):
                entity = BY_DMF_NAME.get(item.get("Name"))
                if entity is None:
                    raise ValueError(f"Entity '{item.get('Name')}' in the package is not a data management entity.")
                document = ET.fromstring(archive.read(item.get("File")))
                tables[item.get("Name")] = [_row(entity, element) for element in document]
            return tables
    except (zipfile.BadZipFile, KeyError, ET.ParseError) as exc:
        raise ValueError(f"The file is not a valid data package: {exc}") from None


def _row(entity: Entity, element) -> dict:
    row = {}
    for child in element:
        f = entity.field_named(child.tag)
        text = child.text or ""
        if f is None:
            row[child.tag] = text  # unknown fields fail on import, as a bad package would
        elif f.kind == "bool":
            row[f.name] = text.lower() in ("true", "yes", "1")
        elif f.kind == "int":
            row[f.name] = int(text) if text.lstrip("-").isdigit() else text
        else:
            row[f.name] = text
    return row
