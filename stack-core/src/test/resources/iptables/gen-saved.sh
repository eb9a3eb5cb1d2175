#!/bin/sh
# Regenerates saved-by-iptables.txt: firewall.rules loaded by the real iptables-restore in a scratch
# network namespace (root only; removed even on failure), then written back by the real iptables-save.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ns=ustack-saved-$$
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
ip netns exec "$ns" iptables-restore < "$here/firewall.rules"
ip netns exec "$ns" iptables-save > "$here/saved-by-iptables.txt"
