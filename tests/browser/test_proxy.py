"""Deployment: two replicas behind Debian's nginx (deploy/run-replicas.sh with deploy/nginx/lossapp.conf), and the
Dockerfile.

Through the proxy: the affinity cookie spreads visitors over both replicas and keeps each on one; on each
replica a browser renders the app, reruns it, downloads a file the replica generated and uploads a CSV (both
need the visitor's own replica). The Dockerfile is checked statically: no Docker engine runs where the tests
do.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from .harness import ROOT, exceptions, free_port, open_export, runs, wait_healthy, wait_loaded, wait_run_after

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SCRIPT = ROOT / "deploy" / "run-replicas.sh"
SITE = ROOT / "deploy" / "nginx" / "lossapp.conf"


@dataclass(frozen=True)
class Proxy:
    url: str
    ports: tuple[int, ...]
    run_dir: Path


def _free_ports(n: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < n:
        p = free_port()
        if p not in ports:
            ports.append(p)
    return ports


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.fail(f"nginx not found at {NGINX}; `make test` installs Debian's nginx (apt-get install nginx)")
    run_dir = tmp_path_factory.mktemp("replicas")
    *ports, listen = _free_ports(3)
    env = {**os.environ, "PORTS": " ".join(map(str, ports)), "LISTEN": f"127.0.0.1:{listen}",
           "PYTHON": sys.executable, "RUN_DIR": str(run_dir), "NGINX": NGINX}
    with open(run_dir / "run-replicas.out", "wb") as out:
        proc = subprocess.Popen(["bash", str(SCRIPT), "2"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    url = f"http://127.0.0.1:{listen}"
    try:
        try:
            wait_healthy(url, proc, timeout=180)
        except (RuntimeError, TimeoutError):
            logs = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2000:]}"
                             for p in sorted(run_dir.glob("*.out")) + sorted(run_dir.glob("*.log")))
            pytest.fail(f"the proxy did not come up:\n{logs}")
        yield Proxy(url, tuple(ports), run_dir)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the script's process group: nginx and both replicas
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def get(url: str, cookie: str | None = None):
    req = urllib.request.Request(url, headers={"Cookie": f"lossapp_route={cookie}"} if cookie else {})
    with urllib.request.urlopen(req, timeout=10) as r:
        r.read()
        return r.headers


def replica_of(proxy: Proxy, cookie: str) -> int:
    return int(get(f"{proxy.url}/_stcore/health", cookie)["X-Lossapp-Replica"].rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def cookie_for(proxy) -> dict[int, str]:
    """An affinity cookie value for each replica (found by asking the proxy)."""
    found: dict[int, str] = {}
    for i in range(64):
        found.setdefault(replica_of(proxy, f"visitor-{i}"), f"visitor-{i}")
        if len(found) == len(proxy.ports):
            break
    return found


def test_affinity_cookie_spreads_visitors_and_keeps_each_on_one_replica(proxy, cookie_for):
    [route] = [c for c in get(f"{proxy.url}/_stcore/health").get_all("Set-Cookie") if c.startswith("lossapp_")]
    assert re.fullmatch(r"lossapp_route=[0-9a-f]{32}; Path=/; Max-Age=604800; HttpOnly; SameSite=Lax", route)
    assert sorted(cookie_for) == sorted(proxy.ports), "some replica never gets visitors"
    for i in range(16):
        first = replica_of(proxy, f"visitor-{i}")
        assert all(replica_of(proxy, f"visitor-{i}") == first for _ in range(3))
    again = get(f"{proxy.url}/_stcore/health", "visitor-0").get_all("Set-Cookie") or []
    assert not [c for c in again if c.startswith("lossapp_")]  # set once, then kept


def _visit(browser, proxy: Proxy, cookie: str):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)
    context.add_cookies([{"name": "lossapp_route", "value": cookie, "url": proxy.url}])
    from .harness import STATE_OBSERVER, is_base_path_probe

    pg = context.new_page()
    pg.add_init_script(STATE_OBSERVER)
    pg.console_errors = []
    pg.on("console", lambda m: m.type == "error" and not is_base_path_probe(m.text, m.location.get("url", ""))
          and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda exc: pg.console_errors.append(str(exc)))
    return context, pg


@pytest.mark.parametrize("which", [0, 1])
def test_app_rerun_and_download_through_the_proxy_on_each_replica(browser, proxy, cookie_for, which):
    port = proxy.ports[which]
    context, pg = _visit(browser, proxy, cookie_for[port])
    try:
        response = pg.goto(f"{proxy.url}/Regression")
        assert response.headers["x-lossapp-replica"].endswith(f":{port}")
        wait_loaded(pg)
        assert pg.get_by_role("heading", name="Regression losses").is_visible()

        # a rerun over the proxied WebSocket: the L1 marker moves (in the browser), then tells the server, and
        # the description the server writes under the chart follows
        before = runs(pg)
        marker = pg.locator('[data-testid="lossappControls"] input[data-param="l1_pred"]')
        marker.press("ArrowRight")
        wait_run_after(pg, before)
        value = float(marker.input_value())
        pg.wait_for_function("(v) => Array.from(document.querySelectorAll('[data-testid=\"stCaptionContainer\"]'))"
                             ".some((c) => c.innerText.includes(`At prediction ${v}: L1Loss = ${v}`))",
                             arg=f"{value:g}")

        # a download the replica generated on click (served from that replica's memory)
        open_export(pg)
        button = pg.locator('[data-testid="stDownloadButton"] button', has_text="CSV").first
        with pg.expect_download() as info:
            button.click()
        d = info.value
        assert d.failure() is None
        rows = list(csv.reader(io.StringIO(Path(d.path()).read_text())))
        assert rows[0] == ["prediction", "L1Loss loss", "L1Loss dL/dpred"]
        table = np.array(rows[1:], dtype=float)
        np.testing.assert_array_equal(table[:, 1], np.abs(table[:, 0]))

        assert exceptions(pg) == []
        assert pg.console_errors == []
    finally:
        context.close()


def test_upload_through_the_proxy(browser, proxy, cookie_for, tmp_path):
    """An upload is a PUT to the session's replica with the XSRF token: affinity and XSRF both work."""
    context, pg = _visit(browser, proxy, cookie_for[proxy.ports[1]])
    try:
        pg.goto(f"{proxy.url}/Your_own_data?od_src=upload")
        wait_loaded(pg)
        data = tmp_path / "mine.csv"
        data.write_text("prediction,label\n0,0\n1,0\n9,0\n")
        before = runs(pg)
        pg.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(data))
        wait_run_after(pg, before)
        metric = pg.locator('[data-testid="stMetric"]').filter(has=pg.get_by_text("Samples", exact=True))
        assert metric.locator('[data-testid="stMetricValue"]').inner_text().strip() == "3"
        assert exceptions(pg) == [] and pg.console_errors == []
    finally:
        context.close()


def test_home_page_through_the_proxy(browser, proxy, cookie_for):
    from losscore.catalog import CATALOG

    context, pg = _visit(browser, proxy, cookie_for[proxy.ports[0]])
    try:
        pg.goto(proxy.url + "/")
        wait_loaded(pg)
        headings = pg.locator("h3").all_inner_texts()
        assert all(any(spec.title in h for h in headings) for spec in CATALOG.values())
        assert exceptions(pg) == [] and pg.console_errors == []
    finally:
        context.close()


def test_shipped_nginx_config_passes_nginx_t(tmp_path):
    """deploy/nginx/lossapp.conf as shipped (listen 80, replicas 8501/8502) is valid for Debian's nginx."""
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log stderr;\nevents {{}}\nhttp {{\n"
                    f"  client_body_temp_path {tmp_path}/cb; proxy_temp_path {tmp_path}/p;\n"
                    f"  fastcgi_temp_path {tmp_path}/f; uwsgi_temp_path {tmp_path}/u; scgi_temp_path {tmp_path}/s;\n"
                    f"  include {SITE};\n}}\n")
    result = subprocess.run([NGINX, "-t", "-e", "stderr", "-p", f"{tmp_path}/", "-c", str(conf)],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


# -- the Dockerfile ------------------------------------------------------------------------------------------------
def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n\s*", " ", text)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def exec_form(args: str) -> list[str]:
    import json

    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def test_dockerfile_runs_the_makefiles_command_and_checks_health():
    steps = dockerfile()
    kinds = [k for k, _ in steps]
    assert kinds[0] == "FROM" and kinds.count("CMD") == 1 and kinds.count("HEALTHCHECK") == 1
    port = next(a for k, a in steps if k == "EXPOSE")
    cmd = exec_form(next(a for k, a in steps if k == "CMD"))

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    default_port = re.search(r"^PORT\s*\?=\s*(\d+)", makefile, re.M).group(1)
    run_line = re.search(r"^run:.*\n\t(.+)$", makefile, re.M).group(1)
    make_cmd = shlex.split(run_line.replace("$(BIN)/", "").replace("$(PORT)", default_port))
    assert cmd[:len(make_cmd)] == make_cmd, (cmd, make_cmd)
    assert port == default_port
    assert cmd[cmd.index("--server.address") + 1] == "0.0.0.0"

    health = next(a for k, a in steps if k == "HEALTHCHECK")
    assert re.search(r"--interval=\d+s", health) and re.search(r"--timeout=\d+s", health)
    probe = exec_form(health.split("CMD", 1)[1].strip())
    assert probe[0] == "python" and f"http://127.0.0.1:{port}/_stcore/health" in probe[-1]
    compile(probe[-1], "<healthcheck>", "exec")  # the probe is valid Python (it is our own constant)


def test_dockerfile_copies_the_app_and_runs_unprivileged():
    steps = dockerfile()
    copied = {a.split()[0].rstrip("/") for k, a in steps if k == "COPY"}
    assert {"requirements.txt", ".streamlit", "app.py", "app_pages", "lossapp", "losscore"} <= copied
    users = [a for k, a in steps if k == "USER"]
    assert users and users[-1] not in ("root", "0")
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".git", ".venv", "tests"} <= set(ignored)
