#!/usr/bin/env bash
# Set up xunjian on a fresh Debian/Ubuntu machine: system packages (Chromium, CJK fonts, the Chinese
# language model of TX005), a virtualenv
# in .venv, and the package with its test dependencies. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
# TX005 (statistical typos) reads libime's word-trigram model zh_CN.lm; without it TX005 is off
dpkg -s libime-data-language-model >/dev/null 2>&1 || need+=(libime-data-language-model)
# PyPI's kenlm is built from source: it needs a C++ compiler
command -v g++ >/dev/null || need+=(g++)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "安装系统软件包: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
  elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "提示: 未能安装 ${need[*]}；浏览器渲染、截图或 TX005 语言模型检查将不可用 (apt-get install -y chromium fonts-noto-cjk libime-data-language-model)" >&2
  fi
fi

PYTHON=${PYTHON:-python3}
[ -d .venv ] || "$PYTHON" -m venv .venv
.venv/bin/pip install -q --upgrade pip setuptools wheel
.venv/bin/pip install -q -e '.[test]'
echo "安装完成。运行示例: .venv/bin/xunjian demo"
