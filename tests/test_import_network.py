"""HTTP pulls against a local server on 127.0.0.1: IndiaMART CRM API v2 and the ECB rates file."""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest

from assetkit.errors import NetworkError, UsageError
from assetkit.store import open_store

SAMPLE = json.loads((Path(__file__).parent / "samples" / "indiamart_leads_api_v2.json").read_text(encoding="utf-8"))
KEY = "SECRET-KEY-123"


class Api(BaseHTTPRequestHandler):
    script: ClassVar[list] = []
    seen: ClassVar[list] = []

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        Api.seen.append(query)
        if self.path.startswith("/ecb"):
            body = b"Date,USD,SEK,\n2024-03-01,1.0800,11.2000,\n"
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)
            return
        status, payload, headers = Api.script.pop(0) if Api.script else (200, {"CODE": 204, "STATUS": "SUCCESS",
                                                                             "MESSAGE": "no data", "TOTAL_RECORDS": 0,
                                                                             "RESPONSE": []}, {})
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if payload is not None:
            self.wfile.write(json.dumps(payload).encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    Api.script, Api.seen = [], []
    httpd = HTTPServer(("127.0.0.1", 0), Api)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_pull_windows_rate_limit_and_import(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assetkit.importers.pull import pull_indiamart

    monkeypatch.setenv("ASSETKIT_INDIAMART_KEY", KEY)
    Api.script = [
        (200, {"CODE": 429, "MESSAGE": "It is advised to hit this API once in every 5 minutes"}, {"Retry-After": "2"}),
        (429, {"CODE": 429, "MESSAGE": "too frequent"}, {}),
        (200, SAMPLE, {}),
        (200, {"CODE": 204, "STATUS": "SUCCESS", "MESSAGE": "no leads", "TOTAL_RECORDS": 0, "RESPONSE": []}, {}),
        (204, None, {}),
    ]
    slept: list[float] = []
    with open_store(tmp_path / "p.duckdb") as store:
        result = pull_indiamart(store, dt.date(2024, 3, 1), until=dt.datetime(2024, 3, 20), save_dir=tmp_path / "pulls",
                                base_url=server + "/crm", sleep=slept.append, min_interval=0, backoff=7)
        assert (result.windows, result.leads, len(result.files)) == (3, 3, 1)
        assert store.query("SELECT count(*) FROM inquiries WHERE platform = 'indiamart'") == [(3,)]
        again = pull_indiamart(store, dt.date(2024, 3, 1), until=dt.datetime(2024, 3, 8), save_dir=tmp_path / "pulls2",
                               base_url=server + "/crm", sleep=slept.append, min_interval=0)
        assert again.leads == 0
    assert slept == [2.0, 7.0]
    assert Api.seen[0]["start_time"] == ["01-Mar-2024 00:00:00"]
    assert Api.seen[0]["end_time"] == ["07-Mar-2024 23:59:59"]
    assert Api.seen[2]["glusr_crm_key"] == [KEY]
    saved = (tmp_path / "pulls").rglob("*.json")
    assert all(KEY not in p.read_text(encoding="utf-8") for p in saved)
    assert not any(KEY in p.read_text(errors="ignore") for p in tmp_path.glob("*.duckdb"))


def test_pull_errors_never_show_the_key(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assetkit.importers.pull import pull_indiamart

    with open_store(tmp_path / "p.duckdb") as store:
        with pytest.raises(UsageError) as err:
            pull_indiamart(store, dt.date(2024, 3, 1), base_url=server)
        assert "ASSETKIT_INDIAMART_KEY" in str(err.value)
        monkeypatch.setenv("ASSETKIT_INDIAMART_KEY", KEY)
        Api.script = [(200, {"CODE": 401, "MESSAGE": f"Invalid key {KEY}"}, {})]
        with pytest.raises(NetworkError) as err:
            pull_indiamart(store, dt.date(2024, 3, 1), until=dt.datetime(2024, 3, 2), base_url=server + "/crm",
                           save_dir=tmp_path / "s", sleep=lambda s: None)
        assert "CODE 401" in str(err.value)
        assert KEY not in str(err.value)
        with pytest.raises(NetworkError) as err:
            pull_indiamart(store, dt.date(2024, 3, 1), until=dt.datetime(2024, 3, 2), base_url="http://127.0.0.1:9/x",
                           save_dir=tmp_path / "s", sleep=lambda s: None)
        assert "cannot reach" in str(err.value)
        assert KEY not in str(err.value)


def test_fx_fetch_from_local_server_and_offline_error(server: str, tmp_path: Path) -> None:
    from assetkit.importers.fx import load_rates

    with open_store(tmp_path / "f.duckdb") as store:
        result = load_rates(store, None, "USD", url=server + "/ecb")
        assert (result.rates, result.first) == (2, "2024-03-01")
        assert store.query("SELECT per_eur, source FROM fx_rates WHERE currency = 'SEK'") == [(Decimal("11.20000000"), "ecb")]
        with pytest.raises(NetworkError) as err:
            load_rates(store, None, "USD", url="http://127.0.0.1:9/eurofxref-hist.zip")
        assert "offline" in str(err.value)


@pytest.mark.slow
def test_cli_pull_and_fx_commands(server: str, run_cli, tmp_path: Path) -> None:
    Api.script = [(200, SAMPLE, {})]
    done = run_cli("--db", str(tmp_path / "c.duckdb"), "pull", "indiamart", "--since", "2024-03-01", "--until", "2024-03-08",
                   "--url", server + "/crm", "--save-dir", str(tmp_path / "pulls"),
                   env={"ASSETKIT_INDIAMART_KEY": KEY})
    assert done.returncode == 0, done.stderr
    assert "Pulled 3 leads" in done.stdout
    assert KEY not in done.stdout + done.stderr
    fx = run_cli("--db", str(tmp_path / "c.duckdb"), "fx", "fetch", "--url", server + "/ecb")
    assert fx.returncode == 0
    assert "Loaded 2 rates" in fx.stdout
    offline = run_cli("--db", str(tmp_path / "c.duckdb"), "fx", "fetch", "--url", "http://127.0.0.1:9/x")
    assert offline.returncode == 1
    assert "Error: cannot reach" in offline.stderr
    assert "Traceback" not in offline.stderr
