#!/usr/bin/env bash
# Installs what the build and the tests need, and nothing when everything is already there.
#
#   bash toolchain/setup.sh
#
# 1. Debian packages: emscripten (emcc), chromium, firefox-esr, coturn (turnserver), iptables + iproute2 (the
#    NAT lab of e2e/nat.spec.js), Boost/fmt/Catch2 headers, cmake/g++/make, clang-14 with
#    libclang-rt-14-dev (libFuzzer + sanitizers for toolchain/fuzz.sh), clang-format-14 and clang-tidy-14
#    (npm run lint).
#    Installed with apt-get (sudo only when not root) only if something is missing.
# 2. npm packages: `npm ci` when node_modules is missing or older than package-lock.json or
#    package.json.
# 3. build/inc/: symlinks boost, fmt, catch2 -> /usr/include/..., the only host headers the
#    Emscripten build may see (never pass -I/usr/include to emcc: it drags glibc over the sysroot).
#
# Idempotent; well under a second when all is present.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf 'setup: %s\n' "$*" >&2; }

# --- 1. Debian packages -----------------------------------------------------------------------
# "path-or-command package" pairs; a path (which may hold a glob) must exist, a bare name is
# checked with command -v.
REQUIRED=(
  "/usr/bin/emcc emscripten"
  "/usr/bin/chromium chromium"
  "/usr/bin/firefox-esr firefox-esr"
  "/usr/bin/turnserver coturn"
  "/usr/sbin/iptables iptables"
  "/usr/sbin/ip iproute2"
  "/usr/include/boost/outcome.hpp libboost-dev"
  "/usr/include/fmt/format.h libfmt-dev"
  "/usr/include/catch2/catch.hpp catch2"
  "cmake cmake"
  "ctest cmake"
  "g++ g++"
  "make make"
  "clang++-14 clang-14"
  "clang-format-14 clang-format-14"
  "clang-tidy-14 clang-tidy-14"
  "/usr/lib/llvm-14/lib/clang/14*/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev"
)

missing=()
for pair in "${REQUIRED[@]}"; do
  what="${pair% *}"
  pkg="${pair#* }"
  if [[ "$what" == /* ]]; then
    compgen -G "$what" >/dev/null && continue
  else
    command -v "$what" >/dev/null 2>&1 && continue
  fi
  # add each package once
  case " ${missing[*]-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
done

if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  SUDO=()
  if [[ "$(id -u)" != 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      SUDO=(sudo)
    else
      log "not root and no sudo: install these packages by hand: ${missing[*]}"
      exit 1
    fi
  fi
  "${SUDO[@]}" apt-get update -q
  # --no-install-recommends is enough: checked that emcc -O2 ES6 builds and headless chromium
  # (WebRTC, wasm, relay through coturn) run without the recommended packages (avahi, udev,
  # upower, printer tools, numpy, ...).
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}"

  # The tests start their own turnserver processes on free ports with their own flags (-n: no
  # config file). A system coturn service never matters to them, but don't leave one running
  # that this script brought in.
  case " ${missing[*]} " in
    *" coturn "*)
      if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
        "${SUDO[@]}" systemctl disable --now coturn >/dev/null 2>&1 || true
      fi
      ;;
  esac

  for pair in "${REQUIRED[@]}"; do
    what="${pair% *}"
    if [[ "$what" == /* ]]; then
      compgen -G "$what" >/dev/null || { log "still missing after install: $what"; exit 1; }
    else
      command -v "$what" >/dev/null 2>&1 || { log "still missing after install: $what"; exit 1; }
    fi
  done
fi

# --- 2. npm packages --------------------------------------------------------------------------
if ! command -v npm >/dev/null 2>&1; then
  log "npm not found: install Node.js 20+ and npm"
  exit 1
fi
if [[ -f package-lock.json ]]; then
  # package.json too: a dependency added there without its lock entry makes `npm ci` fail loudly
  # (lock out of sync) instead of the build running on a node_modules that lacks it.
  if [[ ! -d node_modules || ! -f node_modules/.package-lock.json ||
        package-lock.json -nt node_modules/.package-lock.json ||
        package.json -nt node_modules/.package-lock.json ]]; then
    log "npm ci"
    npm ci --no-audit --no-fund
  fi
fi

# --- 3. build-local include folder for Emscripten ---------------------------------------------
mkdir -p build/inc
for dir in boost fmt catch2; do
  if [[ "$(readlink "build/inc/$dir" 2>/dev/null || true)" != "/usr/include/$dir" ]]; then
    ln -sfn "/usr/include/$dir" "build/inc/$dir"
  fi
done
