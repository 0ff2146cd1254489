"""Network faults for API pulls, against a local server on 127.0.0.1 (issue: reliability suite).

503-503-200 succeeds within the retry budget; a hanging server is abandoned at the timeout;
401 and 404 fail fast with a clear message; the API key never appears in errors or output.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from assetkit.errors import NetworkError
from assetkit.store import open_store

SAMPLE = json.loads((Path(__file__).parent / "samples" / "indiamart_leads_api_v2.json").read_text(encoding="utf-8"))
KEY = "KEY-7f3a9-DO-NOT-LEAK"


class Faulty(BaseHTTPRequestHandler):
    script: ClassVar[list] = []
    hits: ClassVar[int] = 0

    def do_GET(self) -> None:
        Faulty.hits += 1
        action = Faulty.script.pop(0) if Faulty.script else ("status", 200, SAMPLE)
        if action[0] == "hang":
            time.sleep(action[1])
            return
        _, status, payload = action
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        if payload is not None:
            self.wfile.write(json.dumps(payload).encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    Faulty.script, Faulty.hits = [], 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Faulty)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/crm"
    httpd.shutdown()
    httpd.server_close()


def _pull(store, url: str, tmp_path: Path):  # noqa: ANN001, ANN202
    from assetkit.importers.pull import pull_indiamart

    return pull_indiamart(store, dt.date(2024, 3, 5), until=dt.datetime(2024, 3, 6), base_url=url,
                          save_dir=tmp_path / "pulled", sleep=lambda s: None)


def test_503_503_200_succeeds_within_the_retry_budget(server: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSETKIT_INDIAMART_KEY", KEY)
    Faulty.script = [("status", 503, None), ("status", 503, None), ("status", 200, SAMPLE)]
    with open_store(tmp_path / "a.duckdb") as store:
        result = _pull(store, server, tmp_path)
        (leads,) = store.query("SELECT count(*) FROM inquiries")[0]
    assert Faulty.hits == 3
    assert result.leads == len(SAMPLE["RESPONSE"]) == leads


@pytest.mark.parametrize("status", [401, 404])
def test_401_and_404_fail_fast_without_retrying_or_leaking_the_key(server: str, tmp_path: Path, status: int,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSETKIT_INDIAMART_KEY", KEY)
    Faulty.script = [("status", status, {"CODE": status, "MESSAGE": f"bad key {KEY}"})]
    began = time.monotonic()
    with open_store(tmp_path / "a.duckdb") as store, pytest.raises(NetworkError) as info:
        _pull(store, server, tmp_path)
    assert time.monotonic() - began < 5
    assert Faulty.hits == 1
    assert str(status) in info.value.message and KEY not in info.value.message + (info.value.hint or "")


def test_hanging_server_is_abandoned_at_the_timeout(server: str) -> None:
    from assetkit.importers import http

    Faulty.script = [("hang", 6)]
    began = time.monotonic()
    with pytest.raises(NetworkError, match="did not answer within 1 s"):
        http.get(http.session(retries=0), server, params={"glusr_crm_key": KEY}, timeout=(1, 1))
    assert time.monotonic() - began < 4


def test_cli_pull_failure_is_a_message_not_a_traceback_and_hides_the_key(server: str, run_cli, tmp_path: Path) -> None:
    Faulty.script = [("status", 401, {"CODE": 401, "MESSAGE": f"bad key {KEY}"})]
    result = run_cli("pull", "indiamart", "--since", "2024-03-05", "--until", "2024-03-06", "--url", server,
                     cwd=tmp_path, env={"ASSETKIT_INDIAMART_KEY": KEY})
    assert result.returncode == 1
    assert result.stderr.startswith("Error:") and "Traceback" not in result.stderr
    assert KEY not in result.stderr + result.stdout
    with open_store(tmp_path / "assetkit.duckdb") as store:
        stored = " ".join(str(r) for r in store.query("SELECT * FROM import_batches"))
    assert KEY not in stored
