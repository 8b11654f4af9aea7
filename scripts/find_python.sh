#!/bin/sh
# Prints a Python 3.10 interpreter (Rasa 3.6 does not run on 3.11+): pyenv's first, then PATH.
for candidate in /root/.pyenv/versions/3.10.*/bin/python3.10 "$HOME"/.pyenv/versions/3.10.*/bin/python3.10; do
    if [ -x "$candidate" ]; then echo "$candidate"; exit 0; fi
done
for name in python3.10; do
    path=$(command -v "$name" 2>/dev/null) || continue
    if "$path" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
        echo "$path"; exit 0
    fi
done
echo "No Python 3.10 found: install it (e.g. 'pyenv install 3.10' or apt's python3.10)." >&2
exit 1
