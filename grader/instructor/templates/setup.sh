#!/usr/bin/env bash
# Gradescope runs this once to build the autograder image. The kit is in this bundle
# (kit/), so the image grades with exactly the version the instructor built the bundle from.
set -euo pipefail
cd /autograder/source
apt-get update -qq && apt-get install -y -qq python3 python3-pip python3-venv > /dev/null
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet "torch==__TORCH_VERSION__" --index-url https://download.pytorch.org/whl/cpu
/autograder/venv/bin/pip install --quiet ./kit
if [ -f names.txt ]; then
  mkdir -p /autograder/data && cp names.txt /autograder/data/names.txt
fi
