# shellcheck shell=bash
# Environment for the build and test scripts. Source it (`source toolchain/env.sh`); it changes no
# shell options and may be sourced more than once.

WRE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export WRE_ROOT

# Emscripten 3.1.6 (Debian): emcc's JS optimizer (tools/acorn-optimizer.js, run at -O1+ and for
# ES6 output) requires 'acorn', which Debian ships as node-acorn in /usr/share/nodejs; Node does
# not look there by itself. Without this: "Cannot find module 'acorn'".
case ":${NODE_PATH-}:" in
  *:/usr/share/nodejs:*) ;;
  *) export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}" ;;
esac

# Headers the Emscripten build may see: symlinks to /usr/include/{boost,fmt,catch2} made by
# toolchain/setup.sh. Use -I"$WRE_INC", never -I/usr/include.
export WRE_INC="$WRE_ROOT/build/inc"

# Debian's Chromium is the test browser; Playwright must never try to download one.
export WRE_CHROMIUM=/usr/bin/chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# Local tools (playwright, tsc) first.
case ":$PATH:" in
  *":$WRE_ROOT/node_modules/.bin:"*) ;;
  *) export PATH="$WRE_ROOT/node_modules/.bin:$PATH" ;;
esac
