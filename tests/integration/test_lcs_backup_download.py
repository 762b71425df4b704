"""lcs_database_backup_download through real ansible-playbook against the emulator's download service.

The backup is a generated 200 MiB blob (emulator/services/downloads/generated.py). Every case ends
with the file's SHA-256 computed here from the bytes on disk and compared with the emulator's own,
or with a failure whose message names the fix, and never with a partial file at dest. The full-disk
cases use a real tmpfs (mounted by the test; skipped where mounting is not allowed).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from devtools.ansible_runner import run_playbook
from tests.integration.lcs_support import kill_controller, play, start_play

SIZE = 200 * 1024 * 1024
MIB = 1024 * 1024
DOWNLOAD_ROUTE = "/_downloads/"


def generate(emu, name="big-uat", size=SIZE, seed=7):
    """A generated backup in the asset library; returns its facts with the emulator's SHA-256."""
    body = {"name": name, "size_bytes": size, "seed": seed}
    response = requests.post(f"{emu.admin_url}/downloads/generated", json=body, verify=emu.ca_file, timeout=120)
    response.raise_for_status()
    return response.json()


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(4 * MIB), b""):
            digest.update(block)
    return digest.hexdigest()


def download_requests(emu, status=None):
    total = 0
    for route, statuses in emu.counters()["requests"].items():
        if route.startswith("GET " + DOWNLOAD_ROUTE):
            total += sum(v for k, v in statuses.items() if status is None or k == str(status))
    return total


def task(register="r", **args):
    return {"name": "Download", "d365fo.dataalm.lcs_database_backup_download": args, "register": register}


def assert_complete(result, dest_file, backup):
    assert result.get("failed") is not True, result.get("msg")
    assert result["dest"] == str(dest_file)
    assert sha256_of(dest_file) == backup["sha256"] == result["sha256"]
    assert result["size"] == SIZE == dest_file.stat().st_size
    companions = sorted(p.name for p in dest_file.parent.iterdir() if p.name.startswith(dest_file.name))
    assert companions == [dest_file.name, dest_file.name + ".download.json"]  # no .part left
    record = json.loads(Path(result["record_path"]).read_text())
    assert record["sha256"] == backup["sha256"] and record["backup_id"] == backup["id"]


def kill_module_writing(path):
    """SIGKILL the module process that has ``path`` open (ansible's worker runs in a session of its own,
    so killing ansible-playbook's process group leaves the module running)."""
    killed = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            targets = [os.readlink("/proc/%s/fd/%s" % (pid, fd)) for fd in os.listdir("/proc/%s/fd" % pid)]
        except OSError:
            continue
        if str(path) in targets:
            os.kill(int(pid), signal.SIGKILL)
            killed.append(pid)
    return killed


def assert_no_link(proc):
    text = proc.stdout + proc.stderr
    assert "sig=" not in text and DOWNLOAD_ROUTE not in text


@pytest.fixture
def big(lcs_emu):
    return generate(lcs_emu)


def test_three_dropped_connections_are_resumed_with_range(tmp_path, lcs_emu, big):
    # paced so that the 1-second progress lines have time to show
    lcs_emu.set_faults({"kind": "download_cut", "after_bytes": 50 * MIB, "count": 3},
                       {"kind": "download_rate", "bytes_per_second": 80 * MIB})
    dest = tmp_path / "out"
    dest.mkdir()
    proc, r = play(tmp_path, lcs_emu, [task(name="big-*", dest=str(dest) + "/")],
                   vars={"d365fo_dataalm_progress_interval": 1})
    result = r["r"]
    assert_complete(result, dest / big["file_name"], big)
    assert result["changed"] and result["action"] == "downloaded" and result["resumes"] == 3
    assert result["link_refreshes"] == 0 and result["restarts"] == 0
    # one full GET and three ranged ones, each continuing where the cut left it
    assert download_requests(lcs_emu, 200) == 1 and download_requests(lcs_emu, 206) == 3
    assert lcs_emu.counters()["faults_fired"]["download_cut"] == 3
    # live progress at default verbosity: each resume as it happened
    assert proc.stdout.count("connection dropped") == 3, proc.stdout[-3000:]
    # and bytes, rate and time left while it ran
    assert re.search(r"big-uat\.bacpac: [\d.]+ MiB of 200\.0 MiB \(\d+%\), [\d.]+ MiB/s, \d:\d\d:\d\d left",
                     proc.stdout), proc.stdout[-3000:]
    assert_no_link(proc)


def test_a_link_that_expires_mid_transfer_is_renewed_from_lcs(tmp_path, lcs_emu, big):
    lcs_emu.set_faults({"kind": "download_cut", "after_bytes": 80 * MIB, "count": 1, "expire_link": True})
    dest = tmp_path / "big.bacpac"
    proc, r = play(tmp_path, lcs_emu, [task(name="big-uat", dest=str(dest))])
    result = r["r"]
    assert_complete(result, dest, big)
    assert result["link_refreshes"] == 1 and result["resumes"] == 1
    # the old link was refused once (403), the fresh one continued with a Range request
    assert download_requests(lcs_emu, 403) == 1 and download_requests(lcs_emu, 206) == 1
    assert "asking LCS for a fresh one" in proc.stdout
    assert_no_link(proc)


@pytest.fixture
def tmpfs(tmp_path):
    """Mount a real tmpfs of the given size; skipped where mounting is not allowed (needs root)."""
    mounted = []

    def mount(size_mib):
        point = tmp_path / ("disk%d" % len(mounted))
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%dm" % size_mib, "tmpfs", str(point)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.skip("cannot mount a tmpfs here: " + done.stderr.strip())
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", str(point)], check=False)


def test_a_disk_too_small_fails_before_the_first_byte(tmp_path, lcs_emu, big, tmpfs):
    disk = tmpfs(100)
    _proc, r = play(tmp_path, lcs_emu, [task(name="big-uat", dest=str(disk) + "/")])
    result = r["r"]
    assert result["failed"]
    assert "not enough free space in %s" % disk in result["msg"]
    assert "free at least 100.0 MiB there or set dest to a disk with more room" in result["msg"]
    assert result["needed_bytes"] == SIZE and result["free_bytes"] <= 100 * MIB
    assert list(disk.iterdir()) == []


def test_a_disk_that_fills_during_the_download_is_given_back(tmp_path, lcs_emu, big, tmpfs):
    disk = tmpfs(260)
    lcs_emu.set_faults({"kind": "download_rate", "bytes_per_second": 40 * MIB})
    proc, out = start_play(tmp_path, lcs_emu, [task(name="big-uat", dest=str(disk) + "/")])
    part = disk / (big["file_name"] + ".part")
    deadline = time.monotonic() + 120
    while not (part.exists() and part.stat().st_size > 20 * MIB):
        assert time.monotonic() < deadline and proc.poll() is None, "the download never started"
        time.sleep(0.05)
    # another process takes the room the space check counted on
    filler = disk / "someone-else.bin"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(descriptor, b"\0" * MIB):
            pass
    except OSError:
        pass  # the disk is full now
    finally:
        os.close(descriptor)
    # hold the space until the module has met the full disk, then give it back
    assert proc.wait(300) is not None
    filler.unlink()
    result = json.loads(out.read_text())["r"]
    assert result["failed"] and "filled up after" in result["msg"], result.get("msg")
    assert "the partial download was removed" in result["msg"] and "free at least 200.0 MiB" in result["msg"]
    assert list(disk.iterdir()) == []


def test_a_rerun_with_the_file_present_changes_nothing(tmp_path, lcs_emu, big):
    dest = tmp_path / "keep"
    dest.mkdir()
    _proc, r = play(tmp_path, lcs_emu, [task("first", name="big-uat", dest=str(dest)),
                                        task("second", name="big-uat", dest=str(dest))])
    assert r["first"]["changed"] and r["first"]["action"] == "downloaded"
    second = r["second"]
    assert second["changed"] is False and second["action"] == "none"
    assert second["sha256"] == big["sha256"]
    assert download_requests(lcs_emu) == 1  # the second run downloaded nothing
    assert_complete(second | {"size": SIZE}, dest / big["file_name"], big)


def test_a_damaged_copy_is_downloaded_again_and_a_foreign_file_is_never_touched(tmp_path, lcs_emu, big):
    dest = tmp_path / "big.bacpac"
    play(tmp_path, lcs_emu, [task(name="big-uat", dest=str(dest))])
    with open(dest, "r+b") as handle:
        handle.seek(123 * MIB)
        handle.write(b"\xff")
    _proc, r = play(tmp_path, lcs_emu, [task(name="big-uat", dest=str(dest))])
    assert r["r"]["changed"] and r["r"]["replaced"]["damaged"] is True
    assert_complete(r["r"], dest, big)

    foreign = tmp_path / "mine.bacpac"
    foreign.write_bytes(b"my own file")
    _proc, r = play(tmp_path, lcs_emu, [task(name="big-uat", dest=str(foreign))])
    assert r["r"]["failed"] and "set force: true to replace it" in r["r"]["msg"]
    assert foreign.read_bytes() == b"my own file"


def test_check_mode_downloads_nothing_and_says_what_it_would_do(tmp_path, lcs_emu, big):
    dest = tmp_path / "dry"
    dest.mkdir()
    proc, r = play(tmp_path, lcs_emu, [task(name="big-*", dest=str(dest))], check=True)
    result = r["r"]
    assert proc.returncode == 0 and result["changed"] and result["action"] == "download"
    assert result["size"] == SIZE and result["free_bytes"] > SIZE
    assert "would download big-uat to" in result["msg"]
    assert list(dest.iterdir()) == [] and download_requests(lcs_emu) == 0


def test_a_killed_run_is_continued_by_the_next_one(tmp_path, lcs_emu, big):
    lcs_emu.set_faults({"kind": "download_rate", "bytes_per_second": 40 * MIB})
    dest = tmp_path / "big.bacpac"
    proc, _out = start_play(tmp_path, lcs_emu, [task(name="big-uat", dest=str(dest))], name="killed.yml")
    part = tmp_path / "big.bacpac.part"
    deadline = time.monotonic() + 120
    while not (part.exists() and part.stat().st_size > 60 * MIB):
        assert time.monotonic() < deadline and proc.poll() is None, "the download never started"
        time.sleep(0.05)
    kill_controller(proc)
    assert kill_module_writing(part), "no process had the partial file open"
    time.sleep(0.5)
    assert not dest.exists()
    lcs_emu.clear_faults()
    _proc, r = play(tmp_path, lcs_emu, [task(name="big-uat", dest=str(dest))])
    result = r["r"]
    assert result["action"] == "resumed" and result["resumed_from"] >= 60 * MIB
    assert result["bytes_transferred"] == SIZE - result["resumed_from"]
    assert_complete(result, dest, big)


def test_the_signed_link_never_shows_even_at_vvvv(tmp_path, lcs_emu, monkeypatch):
    reports = tmp_path / "reports"
    monkeypatch.setenv("ANSIBLE_CALLBACKS_ENABLED", "d365fo.dataalm.report")
    monkeypatch.setenv("DATAALM_REPORT_DIR", str(reports))
    small = generate(lcs_emu, name="small-uat", size=3 * MIB)
    lcs_emu.set_faults({"kind": "download_cut", "after_bytes": MIB, "count": 1, "expire_link": True})
    dest = tmp_path / "small.bacpac"
    tasks = [
        {"name": "Info with link", "d365fo.dataalm.lcs_database_backup_info": {
            "name": "small-uat", "include_download_url": True}, "register": "info", "no_log": True},
        task(backup="{{ info.backups[0] }}", dest=str(dest)),
    ]
    proc, r = play(tmp_path, lcs_emu, tasks, verbosity=4)
    assert r["r"]["sha256"] == small["sha256"] == sha256_of(dest)
    assert r["r"]["link_refreshes"] == 1
    link = r["info"]["backups"][0]["download_url"]
    signature = link.split("sig=", 1)[1].split("&", 1)[0]
    report_text = "".join(p.read_text() for p in reports.rglob("*") if p.is_file())
    assert "lcs_database_backup_download" in report_text  # the run report covers the task
    text = proc.stdout + proc.stderr + report_text
    for secret in (link, signature, requests.utils.unquote(signature)):
        assert secret not in text
    assert "download_url" not in json.dumps(r["r"])


def test_export_runbook_downloads_the_new_backup(tmp_path, lcs_emu):
    lcs_emu.set_speed(3600)
    inventory = tmp_path / "inventory.yml"
    services = lcs_emu.lcs_module_args()
    host_vars = {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
        "dataalm_target_environment_id": "22222222-2222-4222-8222-222222222222",
        "dataalm_backup_name": "pytest-download", "dataalm_download_dir": str(tmp_path / "bacpacs"),
        "dataalm_poll_interval": 1, "dataalm_max_age": "3650d",
        **{(k if k.startswith("lcs_") else "lcs_" + k): v for k, v in services.items()},
    }
    inventory.write_text(json.dumps({"all": {"hosts": {"contoso-uat": host_vars}}}))
    playbook = Path(__file__).resolve().parents[2] / "playbooks" / "export.yml"
    first = run_playbook(playbook, inventory=inventory, timeout=600)
    assert first.returncode == 0, first.stdout[-4000:]
    files = sorted(p.name for p in (tmp_path / "bacpacs").iterdir())
    assert files == ["pytest-download.bacpac", "pytest-download.bacpac.download.json"]
    record = json.loads((tmp_path / "bacpacs" / files[1]).read_text())
    assert record["sha256"] == sha256_of(tmp_path / "bacpacs" / files[0])
    second = run_playbook(playbook, inventory=inventory, timeout=600)
    assert second.returncode == 0 and "changed=0" in second.stdout, second.stdout[-3000:]
    assert_no_link(second)


def test_an_async_task_downloads_too(tmp_path, lcs_emu):
    small = generate(lcs_emu, name="async-uat", size=3 * MIB)
    dest = tmp_path / "async.bacpac"
    tasks = [dict(task(name="async-uat", dest=str(dest)), **{"async": 300, "poll": 1})]
    proc, r = play(tmp_path, lcs_emu, tasks)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert r["r"]["sha256"] == small["sha256"] == sha256_of(dest)
