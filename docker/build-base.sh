#!/usr/bin/env bash
# Builds the daemon image's base without any image registry: a Debian bookworm root filesystem from
# debootstrap (minbase) with a Java 17 runtime and the tools the tests drive, imported into Docker and
# tagged. Needs root, debootstrap and a running Docker engine. Does nothing when the tag already exists.
#
#   docker/build-base.sh [TAG]        TAG defaults to ustack/base:bookworm
#   USTACK_DEBIAN_MIRROR=URL          the Debian mirror; by default the one apt uses on this machine
set -euo pipefail

tag="${1:-ustack/base:bookworm}"
suite=bookworm
# java: the daemon; the rest: the peers and diagnostics the integration tests run inside the container
packages=openjdk-17-jre-headless,iproute2,iputils-ping,arping,curl,netcat-openbsd,iperf3,traceroute,tcpdump,python3,procps

if docker image inspect "$tag" >/dev/null 2>&1; then
    echo "build-base: $tag exists"
    exit 0
fi

# The first mirror apt is configured with for $suite, one-line (.list) or deb822 (.sources) format:
# the machine may reach no other.
apt_mirror() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f "$f" ]] || continue
        awk -v s="$suite" '$1 == "deb" { sub(/\[[^]]*\] */, ""); if ($3 == s) { print $2; exit } }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f "$f" ]] || continue
        # stanzas are separated by blank lines; print the first URI of a stanza whose Suites list $suite
        awk -v s="$suite" '
            /^[ \t]*$/ { if (uri != "" && hit) { print uri; exit } uri = ""; hit = 0; next }
            $1 == "URIs:" { uri = $2 }
            $1 == "Suites:" { for (i = 2; i <= NF; i++) if ($i == s) hit = 1 }
            END { if (uri != "" && hit) print uri }' "$f"
    done
}

mirror="${USTACK_DEBIAN_MIRROR:-$(apt_mirror | head -n 1)}"
if [[ -z "$mirror" ]]; then
    echo "build-base: no Debian $suite mirror in /etc/apt/sources.list*; set USTACK_DEBIAN_MIRROR" >&2
    exit 1
fi

root="$(mktemp -d /tmp/ustack-base.XXXXXX)"
trap 'rm -rf "$root"' EXIT

echo "build-base: debootstrap $suite from $mirror"
start=$SECONDS
if ! debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" >"$root.log" 2>&1; then
    tail -n 30 "$root.log" >&2
    cat "$root/debootstrap/debootstrap.log" >&2 2>/dev/null || true
    rm -f "$root.log"
    exit 1
fi
rm -f "$root.log"

# What an image never needs: package caches, indexes, documentation.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
       "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*

tar -C "$root" --numeric-owner -c . | docker import \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' \
    - "$tag" >/dev/null
echo "build-base: $tag built in $((SECONDS - start)) s"
