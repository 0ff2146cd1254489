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
KEY = "KEY-7f3a9/DO+NOT=LEAK"  # characters that URL encoding changes


class Faulty(BaseHTTPRequestHandler):
    script: ClassVar[list] = []
    hits: ClassVar[int] = 0

    def do_GET(self) -> None:
        Faulty.hits += 1
        action = Faulty.script.pop(0) if Faulty.script else ("status", 200, SAMPLE)
        if action[0] == "hang":
            time.sleep(action[1])
            return
        if action[0] == "redirect":
            self.send_response(302)
            self.send_header("Location", action[1] + "?" + self.path.partition("?")[2])
            self.end_headers()
            return
        if action[0] == "trickle":  # a byte every `interval` seconds, for ever (until the client leaves)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(action[1])
            except OSError:
                pass
            return
        if action[0] == "echo":  # the server echoes the raw request line, key URL-encoded
            action = ("status", action[1], {"CODE": action[1], "MESSAGE": f"unauthorised request {self.path}"})
        _, status, payload, *headers = action
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in (headers[0] if headers else {}).items():
            self.send_header(name, value)
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


# --- issue 17: the key in every encoding, redirects, deadlines ------------------------------

def _pull_with(store, url: str, tmp_path: Path, **options):  # noqa: ANN001, ANN202
    from assetkit.importers.pull import pull_indiamart

    return pull_indiamart(store, dt.date(2024, 3, 5), until=dt.datetime(2024, 3, 6), base_url=url,
                          save_dir=tmp_path / "pulled", **options)


def test_an_echoed_url_encoded_key_is_redacted_in_errors_and_the_log(server: str, run_cli, tmp_path: Path) -> None:
    from urllib.parse import quote, quote_plus

    Faulty.script = [("echo", 401)]
    (tmp_path / "inbox").mkdir()  # a missing inbox is refused before any pull (exit 2)
    (tmp_path / "p.yaml").write_text("database: shop.duckdb\ninbox: [inbox/]\npulls: [{source: indiamart, since_days: 1}]\n"
                                     "outputs: {report: {formats: []}}\n", encoding="utf-8")
    result = run_cli("run", "p.yaml", "--log", "runs.jsonl", cwd=tmp_path,
                     env={"ASSETKIT_INDIAMART_KEY": KEY, "ASSETKIT_INDIAMART_URL": server})
    log = (tmp_path / "runs.jsonl").read_text(encoding="utf-8")
    assert result.returncode == 1 and "unauthorised request" in log and "***" in log
    for form in (KEY, quote(KEY, safe=""), quote_plus(KEY), quote(KEY, safe="").lower()):
        assert form not in log + result.stdout + result.stderr


def test_an_echoed_key_never_reaches_a_saved_response_or_the_database(server: str, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSETKIT_INDIAMART_KEY", KEY)
    echoed = json.loads(json.dumps(SAMPLE))
    echoed["MESSAGE"] = f"served for {KEY}"
    echoed["RESPONSE"][0]["QUERY_MESSAGE"] = f"my key is {KEY} and encoded {KEY.replace('/', '%2F')}"
    Faulty.script = [("status", 200, echoed)]
    with open_store(tmp_path / "a.duckdb") as store:
        result = _pull_with(store, server, tmp_path, sleep=lambda s: None)
        messages = " ".join(str(m) for (m,) in store.query("SELECT message FROM inquiries"))
    assert result.leads == len(SAMPLE["RESPONSE"]) and "my key is ***" in messages
    saved = "".join(Path(f).read_text(encoding="utf-8") for f in result.files)
    assert KEY not in saved + messages and "KEY-7f3a9%2F" not in saved + messages
    assert KEY.encode() not in (tmp_path / "a.duckdb").read_bytes()


def test_a_redirect_to_another_host_is_not_followed(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = ThreadingHTTPServer(("127.0.0.1", 0), Faulty)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("ASSETKIT_INDIAMART_KEY", KEY)
        Faulty.script = [("redirect", f"http://localhost:{other.server_address[1]}/steal")]
        with open_store(tmp_path / "a.duckdb") as store, pytest.raises(NetworkError) as info:
            _pull_with(store, server, tmp_path, sleep=lambda s: None)
    finally:
        other.shutdown()
        other.server_close()
    assert Faulty.hits == 1  # the other host was never asked
    assert "redirected to another host" in info.value.message and KEY not in info.value.message


def test_a_same_host_redirect_is_followed(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSETKIT_INDIAMART_KEY", KEY)
    Faulty.script = [("redirect", server + "/v3"), ("status", 200, SAMPLE)]
    with open_store(tmp_path / "a.duckdb") as store:
        assert _pull_with(store, server, tmp_path, sleep=lambda s: None).leads == len(SAMPLE["RESPONSE"])
    assert Faulty.hits == 2


def test_a_huge_retry_after_is_capped_and_bounded_by_the_deadline(server: str, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSETKIT_INDIAMART_KEY", KEY)
    Faulty.script = [("status", 429, {"CODE": 429, "MESSAGE": "too frequent"}, {"Retry-After": "100000"}),
                     ("status", 200, SAMPLE)]
    slept: list[float] = []
    with open_store(tmp_path / "a.duckdb") as store:
        assert _pull_with(store, server, tmp_path, sleep=slept.append, deadline=600).leads == len(SAMPLE["RESPONSE"])
    assert slept == [60.0]
    Faulty.script = [("status", 429, {"CODE": 429, "MESSAGE": "too frequent"}, {"Retry-After": "100000"})]
    began = time.monotonic()
    with open_store(tmp_path / "a.duckdb") as store, pytest.raises(NetworkError, match="deadline"):
        _pull_with(store, server, tmp_path, sleep=time.sleep, deadline=30)
    assert time.monotonic() - began < 5


def test_a_503_retry_after_of_a_day_stops_at_the_deadline(server: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSETKIT_INDIAMART_KEY", KEY)
    Faulty.script = [("status", 503, None, {"Retry-After": "100000"})] * 4
    began = time.monotonic()
    with open_store(tmp_path / "a.duckdb") as store, pytest.raises(NetworkError, match="deadline of 2 s"):
        _pull_with(store, server, tmp_path, sleep=time.sleep, deadline=2)
    assert time.monotonic() - began < 6


def test_a_trickling_server_cannot_outlast_the_deadline(server: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSETKIT_INDIAMART_KEY", KEY)
    Faulty.script = [("trickle", 0.2)]  # each byte well inside the 60 s read timeout
    began = time.monotonic()
    with open_store(tmp_path / "a.duckdb") as store, pytest.raises(NetworkError, match="deadline of 2 s"):
        _pull_with(store, server, tmp_path, sleep=time.sleep, deadline=2)
    assert time.monotonic() - began < 6


def test_verbose_pull_shows_progress(server: str, run_cli, tmp_path: Path) -> None:
    result = run_cli("--verbose", "pull", "indiamart", "--since", "2024-03-05", "--until", "2024-03-06", "--url", server,
                     cwd=tmp_path, env={"ASSETKIT_INDIAMART_KEY": KEY})
    assert result.returncode == 0, result.stderr
    assert "window 1/1" in result.stderr and "lead(s), saved to" in result.stderr
