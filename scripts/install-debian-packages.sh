#!/bin/sh
# Installs the Debian packages the tests and the evaluation need. The one
# list of them: the README's commands and .ci/run call this script.
#   dataset-fashion-mnist: Fashion-MNIST, for the CLI's import and evaluation
#   fonts-dejavu-core: DejaVu Sans, which draws the report pictures
#   chromium: the headless browser of the storefront page's tests (test/web/)
# Runs as root, or as a user through sudo.
set -eu

PACKAGES="dataset-fashion-mnist fonts-dejavu-core chromium"

if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1; then
  as_root="sudo"
else
  echo "$0: installing Debian packages needs root; run it as root or install sudo" >&2
  exit 1
fi

# sudo starts commands with a clean environment, so the setting goes through env.
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086 # one word per package
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
