#!/usr/bin/env bash
# Set-up for a fresh machine (Debian, Python 3.11, Node.js with npm).
#   scripts/dev.sh demo   install everything, create demo data, serve http://127.0.0.1:5000
#                         (another port: ZCWEB_PORT=5108 scripts/dev.sh demo)
#   scripts/dev.sh test   install everything the tests need (incl. Debian's chromium) and run them
set -euo pipefail
cd "$(dirname "$0")/.."

HTMX_VERSION=2.0.11
HTMX_SHA256=d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717
VENV=.venv
PYTHON=${PYTHON:-python3}
PORT=${ZCWEB_PORT:-5000}

say() { printf '\n== %s\n' "$*"; }

install_python() {
  if [ ! -x "$VENV/bin/python" ]; then
    say "创建虚拟环境 $VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  say "安装 Python 依赖"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -e ".[test]"
}

install_htmx() {
  local target=static/vendor/htmx.min.js
  if [ -f "$target" ] && echo "$HTMX_SHA256  $target" | sha256sum --check --status; then
    return
  fi
  say "从 npm 获取 htmx $HTMX_VERSION"
  local tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "htmx.org@$HTMX_VERSION" >/dev/null && tar xzf "htmx.org-$HTMX_VERSION.tgz")
  echo "$HTMX_SHA256  $tmp/package/dist/htmx.min.js" | sha256sum --check --status \
    || { echo "htmx.min.js 校验和不符，已停止" >&2; exit 1; }
  mkdir -p static/vendor
  cp "$tmp/package/dist/htmx.min.js" "$target"
  rm -rf "$tmp"
}

install_system_packages() {
  # Debian's chromium drives the browser tests; LibreOffice checks the
  # template's round trip through .xls; CJK fonts make screenshots readable.
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v soffice >/dev/null || missing+=(libreoffice-calc-nogui)
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
  [ ${#missing[@]} -eq 0 ] && return
  say "安装系统软件包：${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

case "${1:-}" in
  demo)
    install_python
    install_htmx
    say "准备数据库和演示数据"
    "$VENV/bin/flask" --app zcweb init-db
    "$VENV/bin/flask" --app zcweb seed-demo
    say "启动：http://127.0.0.1:$PORT （Ctrl+C 退出）"
    exec "$VENV/bin/zcweb" serve --host 127.0.0.1 --port "$PORT"
    ;;
  test)
    install_system_packages
    install_python
    install_htmx
    say "运行测试"
    exec "$VENV/bin/pytest" "${@:2}"
    ;;
  *)
    echo "用法：scripts/dev.sh demo | test [pytest 参数]" >&2
    exit 2
    ;;
esac
