# Sourced by the benchmark scripts whose peers come from Debian and are not
# in install-deps.sh (only `make bench` needs them):
#
#   ensure_packages NAME PACKAGE...
#
# installs with apt-get whichever of the packages are missing, saying so on
# stderr as NAME; fails (exit 1) without apt-get or without root.
ensure_packages() {
    local who=$1 p status
    shift
    local missing=()
    for p in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
        [[ "$status" == installed ]] || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    fail() {
        echo "$who: $*" >&2
        exit 1
    }
    command -v apt-get >/dev/null || fail "missing ${missing[*]} and no apt-get: this script wants Debian 12"
    ((EUID == 0)) || fail "missing ${missing[*]}; run as root so apt-get can install them"
    echo "$who: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || fail "apt-get update failed"
    apt-get install -y -qq "${missing[@]}" >&2 || fail "apt-get install ${missing[*]} failed"
}
