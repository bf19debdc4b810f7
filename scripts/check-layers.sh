#!/usr/bin/env bash
# Fails if a source file in src/<layer>/ includes a header from a layer that
# <layer> does not depend on (directly or through its dependencies).
#
#   check-layers.sh BUILD_DIR/layers.txt
#
# layers.txt is written by CMake from the minternet_layer() declarations, so the
# build files are the single statement of who may use whom.
set -euo pipefail
cd "$(dirname "$0")/.."
map=$1
[[ -s "$map" ]] || { echo "check-layers: $map is missing; configure first" >&2; exit 1; }

declare -A deps
while IFS=: read -r layer direct; do
    deps[$layer]=${direct//,/ }
done <"$map"

closure() {  # every layer reachable from $1, $1 included
    local -A seen=()
    local stack=("$1")
    while ((${#stack[@]})); do
        local l=${stack[-1]}
        unset 'stack[-1]'
        [[ -n "${seen[$l]:-}" ]] && continue
        seen[$l]=1
        for d in ${deps[$l]:-}; do stack+=("$d"); done
    done
    echo "${!seen[@]}"
}

status=0
for layer in "${!deps[@]}"; do
    allowed=" $(closure "$layer") "
    while IFS= read -r hit; do
        file=${hit%%:*}
        included=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$hit")
        [[ -d "src/$included" ]] || continue  # not one of our layers
        if [[ "$allowed" != *" $included "* ]]; then
            echo "check-layers: $file includes from '$included', which layer '$layer' may not use" >&2
            status=1
        fi
    done < <(grep -rn --include='*.[ch]pp' -E '^#include "[a-z_]+/' "src/$layer" || true)
done
((status == 0)) && echo "check-layers: ${#deps[@]} layers, every include points downward"
exit $status
