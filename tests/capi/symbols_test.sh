#!/usr/bin/env bash
# libminternet.so exports the C API and nothing else (no C++ symbols of its
# layers, none of its dependencies'), and needs neither spdlog nor OpenSSL.
#   symbols_test.sh LIBMINTERNET_SO
set -euo pipefail
lib=$1
stray=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' | grep -v -e '^mnet_' -e '^MINTERNET_0$' || true)
if [[ -n $stray ]]; then
    echo "symbols_test: $lib exports more than mnet_*:" >&2
    echo "$stray" | head -20 >&2
    exit 1
fi
count=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' | grep -c '^mnet_')
# Every function the header declares is there.
header=$(dirname "$0")/../../src/capi/include/minternet/minternet.h
declared=$(grep -oE '\bmnet_[a-z_]+\(' "$header" | tr -d '(' | sort -u)
for f in $declared; do
    nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' | grep -qx "$f" ||
        { echo "symbols_test: $f is declared but not exported" >&2; exit 1; }
done
if readelf -d "$lib" | grep -E 'NEEDED.*(spdlog|crypto|ssl|yaml)'; then
    echo "symbols_test: $lib needs a logging, crypto or YAML library" >&2
    exit 1
fi
echo "symbols_test: $count mnet_* functions, nothing else exported"
