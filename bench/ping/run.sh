#!/usr/bin/env bash
# Ping RTT to the stack, next to the same ping to a minimal C responder on a TAP (the floor for any
# userspace stack on a TAP) and to a kernel namespace over veth, all in one run; and ping -6 to the stack
# over the same TAP, beside its ping over IPv4.
#
# usage: sudo bench/ping/run.sh [COUNT]      (default 2000 pings at a 2 ms interval each)
set -euo pipefail
cd "$(dirname "$0")/../.."
count="${1:-2000}"
id=$(printf '%06x' $((RANDOM * 32768 + RANDOM)))
out=bench/out/ping-$id
mkdir -p "$out" bench/bin
[ -f stack-cli/target/ustack.jar ] || ./mvnw -B -q -DskipTests -pl stack-cli -am package
gcc -O2 -o bench/bin/icmp_responder bench/ping/icmp_responder.c

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  for n in "ubp$id" "ubs$id" "ubk$id" "ubl$id"; do ip netns del "$n" 2>/dev/null || true; done
  for l in "bpc$id" "bps$id"; do ip link del "$l" 2>/dev/null || true; done
}
trap cleanup EXIT

# ping from namespace $1 to $2; prints "median p99" in ms from the per-reply times
measure() {
  ip netns exec "$1" ping -c 3 -W 2 "$2" >/dev/null
  ip netns exec "$1" ping -q -c 2000 -i 0.002 "$2" >/dev/null   # warm-up: 4 s, so the JIT has compiled the path
  ip netns exec "$1" ping -c "$count" -i 0.002 "$2" | sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | sort -n > "$out/$3.txt"
  awk '{ v[NR] = $1 } END { if (NR == 0) { print "no-replies no-replies"; exit }
       m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.99 + 0.5)]; printf "%.3f %.3f %d\n", m, p, NR }' "$out/$3.txt"
}

# host side of a TAP into its own namespace
adopt() { ip link set "$1" netns "$2"; ip -n "$2" addr add "$3" dev "$1"; ip -n "$2" link set "$1" up; ip -n "$2" link set lo up; }

# 1. the minimal C responder
ip netns add "ubp$id"
bench/bin/icmp_responder "bpc$id" 10.203.1.2 > "$out/c.log" 2>&1 & pids+=($!)
for _ in $(seq 50); do grep -q up "$out/c.log" 2>/dev/null && break; sleep 0.1; done
adopt "bpc$id" "ubp$id" 10.203.1.1/24
read -r c_med c_p99 c_n < <(measure "ubp$id" 10.203.1.2 c)

# 2. ustack, over IPv4, then over IPv6 on the same TAP (the namespace's IPv6 on, without DAD to wait for)
ip netns add "ubs$id"
ip netns exec "ubs$id" sh -c 'for c in all default; do sysctl -qw net.ipv6.conf.$c.disable_ipv6=0 net.ipv6.conf.$c.accept_dad=0; done'
java -jar stack-cli/target/ustack.jar daemon --control "$out/ustack.sock" \
  --iface "bps$id,addr=10.203.2.2/24,addr=fd00:203:2::2/64" ${USTACK_BENCH_ARGS:-} > "$out/ustack.log" 2>&1 & pids+=($!)
for _ in $(seq 300); do grep -q 'ustack: up:' "$out/ustack.log" 2>/dev/null && break; sleep 0.1; done
adopt "bps$id" "ubs$id" 10.203.2.1/24
ip -n "ubs$id" addr add fd00:203:2::1/64 dev "bps$id" nodad
read -r s_med s_p99 s_n < <(measure "ubs$id" 10.203.2.2 ustack)
# the stack's address takes packets once its DAD is over (a second or two after it came up)
for _ in $(seq 30); do ip netns exec "ubs$id" ping -6 -c 1 -W 1 fd00:203:2::2 >/dev/null 2>&1 && break; done
read -r s6_med s6_p99 s6_n < <(measure "ubs$id" fd00:203:2::2 ustack6)

# 3. the kernel, namespace to namespace over veth
ip netns add "ubk$id"; ip netns add "ubl$id"
ip link add "bkv$id" netns "ubk$id" type veth peer name "blv$id" netns "ubl$id"
ip -n "ubk$id" addr add 10.203.3.1/24 dev "bkv$id"; ip -n "ubk$id" link set "bkv$id" up; ip -n "ubk$id" link set lo up
ip -n "ubl$id" addr add 10.203.3.2/24 dev "blv$id"; ip -n "ubl$id" link set "blv$id" up
read -r k_med k_p99 k_n < <(measure "ubk$id" 10.203.3.2 kernel)

printf '\nping RTT, %s pings at a 2 ms interval, 56-byte payload (ms)\n' "$count"
printf '%-28s %10s %10s %8s\n' target median p99 replies
printf '%-28s %10s %10s %8s\n' "ustack (Java, TAP)" "$s_med" "$s_p99" "$s_n"
printf '%-28s %10s %10s %8s\n' "ustack, ping -6" "$s6_med" "$s6_p99" "$s6_n"
printf '%-28s %10s %10s %8s\n' "C responder (TAP, floor)" "$c_med" "$c_p99" "$c_n"
printf '%-28s %10s %10s %8s\n' "kernel (veth, netns)" "$k_med" "$k_p99" "$k_n"
awk -v s="$s_med" -v c="$c_med" 'BEGIN { if (c > 0) printf "ustack median / C median: %.2fx (target: within 1.3x)\n", s / c }'
awk -v s6="$s6_med" -v s="$s_med" 'BEGIN { if (s > 0) printf "ustack ping -6 median / ping median: %.2fx (target: within 1.1x)\n", s6 / s }'
