#!/usr/bin/env bash
# Print the path of a Python >= 3.12 (Django 6 needs it). `python3` may be older, and pyenv
# shims may name versions that are installed but not selected, so each candidate is run.
set -u
candidates=(python3.12 python3.13 python3.14 python3)
for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin /usr/local/bin /usr/bin; do
    for name in python3.12 python3.13 python3.14; do
        [ -x "$dir/$name" ] && candidates+=("$dir/$name")
    done
done
for candidate in "${candidates[@]}"; do
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
        "$path" -c 'import sys; print(sys.executable)'
        exit 0
    fi
done
echo "find-python: no Python 3.12 or newer found; install python3.12" >&2
exit 1
