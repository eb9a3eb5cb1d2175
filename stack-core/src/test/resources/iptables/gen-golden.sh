#!/bin/sh
# Regenerates golden.txt: runs commands.txt through the real iptables in a scratch network namespace
# (root only; the namespace is removed even on failure). Each command's record is "$ ARGS", its exit
# status, then what it printed on stdout and the first line of stderr (prefixed "! "). With the argument
# ip6tables it does the same for ../ip6tables/commands.txt with the real ip6tables.
set -eu
tool=${1:-iptables}
here=$(cd "$(dirname "$0")/../$tool" && pwd)
ns=ustack-golden-$$
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
grep -v '^#' "$here/commands.txt" | grep -v '^$' | while IFS= read -r line; do
  printf '$ %s\n' "$line"
  set +e
  eval "ip netns exec $ns $tool $line" >/tmp/$ns.out 2>/tmp/$ns.err
  rc=$?
  set -e
  printf 'rc %d\n' "$rc"
  cat /tmp/$ns.out
  head -n 1 /tmp/$ns.err | sed 's/^/! /'
done > "$here/golden.txt"
rm -f /tmp/$ns.out /tmp/$ns.err
