#!/usr/bin/env bash
# N replicas of the app on this host, behind Debian's nginx with sticky sessions, until Ctrl-C.
#
#   deploy/run-replicas.sh [N]     # N defaults to the number of CPU cores (one replica uses about one core)
#
# Environment (all optional):
#   LISTEN   address nginx listens on                (127.0.0.1:8080; 0.0.0.0:80 to serve the network)
#   PORTS    the replicas' ports, space-separated    (8501 8502 ... for N replicas)
#   PYTHON   the Python that has the app's packages  (.venv/bin/python if it exists, else python3)
#   NGINX    the nginx binary                        (nginx on PATH, else /usr/sbin/nginx)
#   RUN_DIR  where the rendered config, pid file and logs go (a new temporary directory)
#
# The replicas listen on 127.0.0.1 only; nginx is the one public address. The nginx config is
# deploy/nginx/lossapp.conf with its replicas and listen lines rewritten. Stopping this script (Ctrl-C,
# SIGTERM) stops nginx and every replica; so does any of them exiting.
set -euo pipefail
cd "$(dirname "$0")/.."

N="${1:-$(nproc)}"
PORTS="${PORTS:-$(seq -s ' ' 8501 $((8500 + N)))}"
LISTEN="${LISTEN:-127.0.0.1:8080}"
if [ -z "${PYTHON:-}" ]; then
  if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
RUN_DIR="${RUN_DIR:-$(mktemp -d -t lossapp-replicas.XXXXXX)}"
mkdir -p "$RUN_DIR"
chmod 755 "$RUN_DIR"  # nginx's workers (user nobody when started as root) read through it

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 0' INT TERM

for port in $PORTS; do
  "$PYTHON" -m streamlit run app.py --server.port "$port" --server.address 127.0.0.1 --server.headless true \
    --server.fileWatcherType none >"$RUN_DIR/replica-$port.log" 2>&1 &
  pids+=("$!")
done

healthy() {
  "$PYTHON" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
    "http://127.0.0.1:$1/_stcore/health" 2>/dev/null
}
for port in $PORTS; do
  tries=0
  until healthy "$port"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 300 ]; then
      echo "the replica on port $port did not answer its health check; see $RUN_DIR/replica-$port.log" >&2
      exit 1
    fi
    sleep 0.2  # poll interval of the health check
  done
done

servers=""
for port in $PORTS; do servers+="    server 127.0.0.1:$port;"$'\n'; done
SERVERS="$servers" LISTEN_LINE="    listen $LISTEN;" awk '
  /# replicas:begin/ { print; printf "%s", ENVIRON["SERVERS"]; skip = 1; next }
  /# replicas:end/   { skip = 0 }
  /# listen:begin/   { print; print ENVIRON["LISTEN_LINE"]; skip = 1; next }
  /# listen:end/     { skip = 0 }
  !skip              { print }
' deploy/nginx/lossapp.conf >"$RUN_DIR/lossapp.conf"

cat >"$RUN_DIR/nginx.conf" <<CONF
# Written by deploy/run-replicas.sh: a standalone nginx around deploy/nginx/lossapp.conf.
worker_processes auto;
pid $RUN_DIR/nginx.pid;
error_log $RUN_DIR/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log $RUN_DIR/nginx-access.log;
    client_body_temp_path $RUN_DIR/client_body;
    proxy_temp_path $RUN_DIR/proxy;
    fastcgi_temp_path $RUN_DIR/fastcgi;
    uwsgi_temp_path $RUN_DIR/uwsgi;
    scgi_temp_path $RUN_DIR/scgi;
    include $RUN_DIR/lossapp.conf;
}
CONF

"$NGINX" -t -q -e stderr -p "$RUN_DIR/" -c "$RUN_DIR/nginx.conf"
"$NGINX" -e stderr -p "$RUN_DIR/" -c "$RUN_DIR/nginx.conf" -g "daemon off;" &
pids+=("$!")
echo "lossapp: $(echo "$PORTS" | wc -w) replicas (ports $PORTS) behind http://$LISTEN; logs in $RUN_DIR"

wait -n
echo "a replica or nginx exited; stopping the others (logs in $RUN_DIR)" >&2
exit 1
