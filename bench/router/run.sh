#!/usr/bin/env bash
# The daemon as a router (`ustack daemon --forward` between two TAPs) next to a kernel router (a namespace
# with net.ipv4.ip_forward=1 between two veth pairs), both driven by the same iperf3 client and server in
# namespaces of their own, in the same run:
#   - 64-byte UDP (iperf3 -u -b 0 -l 64): packets per second counted at the right host's interface
#   - one TCP flow (iperf3), Gbit/s as the receiver counts them
# each first with an empty FORWARD chain, then with 100 FORWARD rules that match nothing; and, in-process
# (bench/router/ForwardBench.java, no TAP), the stack's own nanoseconds per forwarded packet with and without.
#
# usage: sudo [EGRESS_MTU=1400] bench/router/run.sh [SECONDS] [REPEAT]   (defaults: 10 s per measurement,
#        3 repeats, MTU 1500 on both sides; EGRESS_MTU sets the right-hand links' MTU on both routers, so that
#        TCP from the left must find the smaller path MTU and a GRO'd flow must be cut to it)
# USTACK_BENCH_ARGS adds daemon options (e.g. "--backlog-threads 0"); USTACK_BENCH_JAVA_OPTS JVM options.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs="${1:-10}"
repeat="${2:-3}"
emtu="${EGRESS_MTU:-1500}"
rules=100
id=$(printf '%06x' $((RANDOM * 32768 + RANDOM)))
out=bench/out/router-$id
mkdir -p "$out"
[ -f stack-cli/target/ustack.jar ] || ./mvnw -B -q -DskipTests -pl stack-cli -am package
ls stack-core/target/stack-core-*-tests.jar > /dev/null 2>&1 || ./mvnw -B -q -DskipTests -pl stack-core package
# copies of their own, so a rebuild of the tree during the run cannot swap a jar under the daemon
cp stack-cli/target/ustack.jar "$out/ustack.jar"
cp "$(ls stack-core/target/stack-core-*.jar | grep -v -- -tests | head -1)" "$out/stack-core.jar"
cp "$(ls stack-core/target/stack-core-*-tests.jar | head -1)" "$out/stack-core-tests.jar"

# the stack's own cost per forwarded packet, no TAP, with and without the rules
javac -d "$out/classes" -cp "$out/stack-core.jar:$out/stack-core-tests.jar" bench/router/ForwardBench.java
java -cp "$out/classes:$out/stack-core.jar:$out/stack-core-tests.jar" ForwardBench 0 "$rules" > "$out/inprocess.txt"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  for n in "ufl$id" "ufr$id" "ukl$id" "ukm$id" "ukr$id"; do ip netns del "$n" 2>/dev/null || true; done
  for l in "fl$id" "fr$id"; do ip link del "$l" 2>/dev/null || true; done
}
trap cleanup EXIT

ustack() { java -XX:TieredStopAtLevel=1 -Xshare:auto -jar "$out/ustack.jar" "$@" --control "$out/ustack.sock"; }
rx_packets() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/rx_packets"; }

# 64-byte UDP from $1 to $3 for $secs s; prints packets per second received by interface $4 in namespace $2,
# counted over the middle of the run (the client's first second and its end are left out), and, given the
# daemon's pid as $5, the microseconds of CPU it spent per packet received there
udp_rate() {
  local a b t0 t1 c u0=0 u1=0
  ip netns exec "$1" iperf3 -c "$3" -u -b 0 -l 64 -t $((secs + 2)) -J > "$out/udp-client.json" 2>&1 & c=$!
  sleep 1
  [ -z "${5:-}" ] || u0=$(awk '{ print $14 + $15 }' "/proc/$5/stat")
  a=$(rx_packets "$2" "$4"); t0=$(date +%s.%N)
  sleep "$secs"
  b=$(rx_packets "$2" "$4"); t1=$(date +%s.%N)
  [ -z "${5:-}" ] || u1=$(awk '{ print $14 + $15 }' "/proc/$5/stat")
  wait "$c" || true
  echo "$a $b $t0 $t1 $u0 $u1 $(getconf CLK_TCK)" | awk '{ printf "%.0f %.2f\n", ($2 - $1) / ($4 - $3),
    ($2 > $1) ? ($6 - $5) / $7 * 1e6 / ($2 - $1) : 0 }'
}

# one TCP flow from $1 to $2 for $secs s (the first second omitted); prints Gbit/s received
tcp_rate() {
  ip netns exec "$1" iperf3 -c "$2" -t "$secs" -O 1 -J > "$out/tcp-client.json" 2>&1 || true
  jq -r '(.end.sum_received.bits_per_second // 0) / 1e9 | . * 100 | round / 100' "$out/tcp-client.json"
}

# the rules: source addresses nobody uses, so every packet walks all of them and matches none
rule() { echo "-p udp -s 198.51.100.$1/32 --dport $((20000 + $1)) -j DROP"; }

# ---- ustack: the daemon between TAP fl (left host 10.211.1.2) and TAP fr (right host 10.211.2.2) ----
ip netns add "ufl$id"; ip netns add "ufr$id"
java ${USTACK_BENCH_JAVA_OPTS:-} -jar "$out/ustack.jar" daemon --control "$out/ustack.sock" \
  --iface "fl$id,addr=10.211.1.1/24" --iface "fr$id,addr=10.211.2.1/24,mtu=$emtu" --forward --serve none \
  ${USTACK_BENCH_ARGS:-} > "$out/ustack.log" 2>&1 & upid=$!; pids+=($upid)
for _ in $(seq 300); do grep -q 'ustack: up:' "$out/ustack.log" 2>/dev/null && break; sleep 0.1; done
grep -q 'ustack: up:' "$out/ustack.log" || { cat "$out/ustack.log"; exit 1; }
# moving the host side into a namespace keeps the daemon's fd attached to the TAP
for side in l r; do
  ns="uf$side$id"; dev="f$side$id"; n=$([ $side = l ] && echo 1 || echo 2)
  ip link set "$dev" netns "$ns"
  ip -n "$ns" addr add "10.211.$n.2/24" dev "$dev"; ip -n "$ns" link set "$dev" up; ip -n "$ns" link set lo up
  ip -n "$ns" route add default via "10.211.$n.1"
done
ip netns exec "ufr$id" iperf3 -s > /dev/null 2>&1 & pids+=($!)

# ---- the kernel: left host -- veth -- router namespace (ip_forward=1) -- veth -- right host ----
ip netns add "ukl$id"; ip netns add "ukm$id"; ip netns add "ukr$id"
ip link add "kl$id" netns "ukl$id" type veth peer name "kml$id" netns "ukm$id"
ip link add "kr$id" netns "ukr$id" type veth peer name "kmr$id" netns "ukm$id"
ip netns exec "ukm$id" sysctl -qw net.ipv4.ip_forward=1
ip -n "ukm$id" addr add 10.211.1.1/24 dev "kml$id"; ip -n "ukm$id" link set "kml$id" up
ip -n "ukm$id" addr add 10.211.2.1/24 dev "kmr$id"; ip -n "ukm$id" link set "kmr$id" mtu "$emtu" up
ip -n "ukr$id" link set "kr$id" mtu "$emtu"
for side in l r; do
  ns="uk$side$id"; dev="k$side$id"; n=$([ $side = l ] && echo 1 || echo 2)
  ip -n "$ns" addr add "10.211.$n.2/24" dev "$dev"; ip -n "$ns" link set "$dev" up; ip -n "$ns" link set lo up
  ip -n "$ns" route add default via "10.211.$n.1"
done
ip netns exec "ukr$id" iperf3 -s > /dev/null 2>&1 & pids+=($!)
sleep 1
ip netns exec "ufl$id" ping -c 3 -i 0.2 -W 2 10.211.2.2 > /dev/null
ip netns exec "ukl$id" ping -c 3 -i 0.2 -W 2 10.211.2.2 > /dev/null

# warm-up: the JIT compiles the forwarding path
secs_saved=$secs; secs=5
udp_rate "ufl$id" "ufr$id" 10.211.2.2 "fr$id" > /dev/null
tcp_rate "ufl$id" 10.211.2.2 > /dev/null
secs=$secs_saved

# one of each measurement, ustack and kernel alternating; results as "name value" lines
measure() {
  local tag=$1
  local pps cpu
  read -r pps cpu < <(udp_rate "ufl$id" "ufr$id" 10.211.2.2 "fr$id" "$upid")
  echo "u_udp_$tag $pps" >> "$out/results"
  echo "u_cpu_$tag $cpu" >> "$out/results"
  read -r pps cpu < <(udp_rate "ukl$id" "ukr$id" 10.211.2.2 "kr$id")
  echo "k_udp_$tag $pps" >> "$out/results"
  echo "u_tcp_$tag $(tcp_rate "ufl$id" 10.211.2.2)" >> "$out/results"
  echo "k_tcp_$tag $(tcp_rate "ukl$id" 10.211.2.2)" >> "$out/results"
}
add_rules() {
  local i
  for i in $(seq "$rules"); do
    # shellcheck disable=SC2046
    ustack iptables -A FORWARD $(rule "$i") > /dev/null
    # shellcheck disable=SC2046
    ip netns exec "ukm$id" iptables -A FORWARD $(rule "$i")
  done
  [ "$(ustack iptables -S FORWARD | grep -c '^-A')" = "$rules" ]
}
# REPEAT rounds, each without and then with the rules, so that load from elsewhere on the machine falls
# on both alike
: > "$out/results"
for _ in $(seq "$repeat"); do
  measure 0
  add_rules
  measure "$rules"
  ustack iptables -L FORWARD -v -n -x --line-numbers > "$out/iptables-forward.txt"
  ustack iptables -F FORWARD > /dev/null
  ip netns exec "ukm$id" iptables -F FORWARD
done
ustack stats > "$out/stats.txt"

# "median min-max" of the values named $1
stat() {
  awk -v k="$1" '$1 == k { v[n++] = $2 } END {
    for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    printf "%s %s-%s", v[int((n - 1) / 2)], v[0], v[n - 1] }' "$out/results"
}
med() { stat "$1" | cut -d' ' -f1; }
ratio() { awk -v a="$(med "$1")" -v b="$(med "$2")" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }

printf '\nrouter: %s s per measurement, median of %s (range)    results in %s\n' "$secs" "$repeat" "$out"
printf '%-40s %-24s %-24s %s\n' measurement ustack kernel ustack/kernel
row() { printf '%-40s %-24s %-24s %s\n' "$1" "$(stat "u_$2")" "$(stat "k_$2")" "$(ratio "u_$2" "k_$2")"; }
row "UDP 64 B, packets/s at the receiver" udp_0
row "UDP 64 B, $rules FORWARD rules" "udp_$rules"
printf '%-40s %-24s %-24s %s\n' "ustack CPU per UDP packet, us" "$(stat u_cpu_0)" - -
printf '%-40s %-24s %-24s %s\n' "ustack CPU per UDP packet, $rules rules" "$(stat "u_cpu_$rules")" - -
row "TCP, one flow, Gbit/s" tcp_0
row "TCP, one flow, $rules FORWARD rules" "tcp_$rules"
printf '\nwith %s rules / without: ustack UDP %s, kernel UDP %s; ustack TCP %s, kernel TCP %s; ustack CPU per packet %s\n' \
  "$rules" "$(ratio "u_udp_$rules" u_udp_0)" "$(ratio "k_udp_$rules" k_udp_0)" \
  "$(ratio "u_tcp_$rules" u_tcp_0)" "$(ratio "k_tcp_$rules" k_tcp_0)" "$(ratio "u_cpu_$rules" u_cpu_0)"
printf '\n'; cat "$out/inprocess.txt"
printf 'targets: ustack UDP at least 0.25 of the kernel router; %s rules cost ustack at most 20%% (ratio >= 0.80)\n' "$rules"
