#!/bin/sh
# Try deploy/nginx.conf on this machine, in front of an app server already
# running (`make run`, or `make serve`): `make nginx-local`.
#
# Everything nginx writes (the rendered configuration, a self-signed
# certificate for 127.0.0.1, logs, temporary files, the pid file) goes to a
# fresh temporary directory, removed when nginx stops (Ctrl-C), so neither
# root nor /var/log/nginx nor /run is needed. HTTPS listens on
# 127.0.0.1:$HTTPS_PORT; plain HTTP on 127.0.0.1:$HTTP_PORT redirects there,
# port included.
#
#   UPSTREAM    the app server, host:port (default 127.0.0.1:8000)
#   HTTPS_PORT  default 8443
#   HTTP_PORT   default 8080
#   NGINX       the nginx binary (default: nginx on the PATH, else /usr/sbin/nginx)
set -eu

UPSTREAM=${UPSTREAM:-127.0.0.1:8000}
HTTPS_PORT=${HTTPS_PORT:-8443}
HTTP_PORT=${HTTP_PORT:-8080}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
HERE=$(cd "$(dirname "$0")" && pwd)

if [ ! -x "$NGINX" ]; then
  echo "nginx-local: no nginx found (Debian: apt-get install nginx)" >&2
  exit 1
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-nginx-XXXXXX")
chmod 755 "$DIR"  # started as root, nginx's workers (www-data) read and write inside
mkdir "$DIR/logs" "$DIR/temp"
NGINX_PID=
stop() {
  trap - EXIT INT TERM
  if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
  rm -rf "$DIR"
}
trap stop EXIT
trap 'exit 130' INT TERM

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$DIR/key.pem" -out "$DIR/certificate.pem" 2>/dev/null

sed -e "s|{{SERVER_NAME}}|127.0.0.1|g" \
    -e "s|{{HTTPS_LISTEN}}|127.0.0.1:$HTTPS_PORT|g" \
    -e "s|{{HTTPS_PORT}}|$HTTPS_PORT|g" \
    -e "s|{{HTTP_LISTEN}}|127.0.0.1:$HTTP_PORT|g" \
    -e "s|{{TLS_CERTIFICATE}}|$DIR/certificate.pem|g" \
    -e "s|{{TLS_CERTIFICATE_KEY}}|$DIR/key.pem|g" \
    -e "s|{{UPSTREAMS}}|server $UPSTREAM;|g" \
    -e "s|{{LOG_DIR}}|$DIR/logs|g" \
    -e "s|{{TEMP_DIR}}|$DIR/temp|g" \
    "$HERE/nginx.conf" > "$DIR/nginx.conf"
if grep -q '{{[A-Z_]*}}' "$DIR/nginx.conf"; then
  echo "nginx-local: a placeholder of deploy/nginx.conf is not filled in:" >&2
  grep -n '{{[A-Z_]*}}' "$DIR/nginx.conf" >&2
  exit 1
fi

cat <<INFO
nginx (deploy/nginx.conf) in front of $UPSTREAM:
  https://127.0.0.1:$HTTPS_PORT/   (self-signed: $DIR/certificate.pem)
  http://127.0.0.1:$HTTP_PORT/     redirects there
  access log: $DIR/logs/gatehouse-access.log
The app server needs TRUSTED_PROXY_COUNT=1 to see HTTPS and the client's address. Ctrl-C stops.
INFO

# In the foreground (daemon off), the pid file in the temporary directory.
"$NGINX" -e stderr -p "$DIR/" -c "$DIR/nginx.conf" -g "daemon off; pid $DIR/nginx.pid;" &
NGINX_PID=$!
wait "$NGINX_PID"
