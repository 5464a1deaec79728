#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (made by
# `grade gradescope`). It installs the grader, with its hidden suite and the reference
# solutions, into a virtual environment; the grader makes those readable by root only, and runs
# each submission as an unprivileged user. Every path can be overridden, so that a test can lay
# out a simulated /autograder tree in a temporary folder.
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
# shellcheck disable=SC2086  # the extra arguments are words on purpose
"$python" -m venv ${GRADER_VENV_ARGS:-} "$venv"
# shellcheck disable=SC2086
"$venv/bin/python" -m pip install --quiet ${GRADER_PIP_ARGS:-} "$source_dir"
# The unpacked bundle holds the solutions and the hidden suite too: root only.
chmod -R go-rwx "$source_dir"
"$venv/bin/grade" --version
