#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (made by
# `grade gradescope`). It installs the grader, with its hidden suite and the reference
# solutions, into a virtual environment; the grader keeps those from the submissions, which it
# runs as an unprivileged user. The image's Python must be @min_python@ or newer: Gradescope's
# Ubuntu 22.04 (Python 3.10) and 24.04 (Python 3.12) base images have one; 20.04 and older do
# not. Every path can be overridden, so that a test can lay out a simulated /autograder tree in
# a temporary folder.
set -euo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
source_dir="${GRADER_SOURCE_DIR:-$root/source}"
venv="${GRADER_VENV:-$root/venv}"
python="${GRADER_BASE_PYTHON:-python3}"

if [ -z "${GRADER_SKIP_APT:-}" ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    python3 python3-venv python3-pip
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (@min_python_tuple@))' 2>/dev/null; then
  found="$("$python" --version 2>&1 || echo "no $python")"
  echo "setup.sh: the grader needs Python @min_python@ or newer and this image has $found: choose the Ubuntu 22.04 or 24.04 base image in the autograder settings." >&2
  exit 1
fi
# shellcheck disable=SC2086  # the extra arguments are words on purpose
"$python" -m venv ${GRADER_VENV_ARGS:-} "$venv"
# shellcheck disable=SC2086
"$venv/bin/python" -m pip install --quiet ${GRADER_PIP_ARGS:-} "$source_dir"
# The unpacked bundle holds the solutions and the hidden suite too, and pip built a copy of
# them in it (build/): root only.
chmod -R go-rwx "$source_dir"
"$venv/bin/grade" --version
