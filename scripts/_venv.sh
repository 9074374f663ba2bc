# Sourced by scripts/start and scripts/test: creates .venv and installs the project into it, but only when
# pyproject.toml changed since the last install. The stamp .venv/.installed holds pyproject.toml's hash and
# the extras that were installed ("-" for none); delete it to force a reinstall.
ensure_venv() {  # usage: ensure_venv [extra]   e.g. ensure_venv test
  local extra=${1:--} py=${PYTHON:-python3} stamp=.venv/.installed hash have_hash have_extra spec
  if [ ! -x .venv/bin/python ]; then
    "$py" -m venv .venv
  fi
  hash=$( (sha256sum pyproject.toml 2>/dev/null || shasum -a 256 pyproject.toml) | cut -d' ' -f1)
  if [ -f "$stamp" ] && read -r have_hash have_extra < "$stamp" && [ "$have_hash" = "$hash" ] \
     && { [ "$extra" = - ] || [ "$have_extra" = "$extra" ]; }; then
    return 0
  fi
  if [ -f "$stamp" ] && [ "$have_hash" = "$hash" ] && [ "$extra" = - ]; then
    extra=$have_extra
  fi
  spec=.
  [ "$extra" != - ] && spec=".[$extra]"
  echo "Installing into .venv (first run, or pyproject.toml changed): pip install -e '$spec'…" >&2
  rm -f "$stamp"
  .venv/bin/python -m pip install -q --disable-pip-version-check -e "$spec" >&2
  echo "$hash $extra" > "$stamp"
}
