#!/usr/bin/env bash
# test_django.py on a current Django from PyPI (pinned in requirements-django.txt),
# beside Debian's 3.2 that scripts/test.sh uses: a venv over Debian's python3 (its
# pytest and the rest stay Debian's), in the build directory, importing the
# cookieseal package scripts/test.sh installed into build-dir/python-venv.
# Usage (after scripts/test.sh): bindings/python/tests/django_current.sh [build-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
dir=$(cd "${1:-$root/build}" && pwd)
venv="$dir/django-current-venv"
[ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv --system-site-packages "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r "$root/bindings/python/tests/requirements-django.txt"
installed=$("$dir/python-venv/bin/python" -c 'import cookieseal, os; print(os.path.dirname(os.path.dirname(cookieseal.__file__)))')
# The build's CLI (the expiry tests open cookies with its clock moved), as scripts/test.sh sets it.
PYTHONPATH="$installed" COOKIESEAL_CLI="${COOKIESEAL_CLI:-$dir/tools/cookieseal}" \
  COOKIESEAL_SHOP="${COOKIESEAL_SHOP:-$dir/examples/cookieseal-shop}" \
  "$venv/bin/python" -m pytest -q -p no:cacheprovider "$root/bindings/python/tests/test_django.py" \
    --junitxml="$dir/meson-logs/pytest-django-current.xml"
